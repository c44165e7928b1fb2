// The report in a real browser: a store recorded with the CLI (two optimizers, runs with epochs
// and a metric), its report loaded by headless Chromium (Debian's `chromium`). The page must load
// with no error and render every chart as SVG with marks; a screenshot must show something.

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <regex>

#include "cli/cli_runner.h"
#include "test_paths.h"

namespace wattcast::testing {
namespace {

// Every flag the brief's CI needs: root (no sandbox), no display, no GPU; a profile of our own so
// parallel runs do not share one; virtual time, so the page's scripts run to completion before
// the dump without any wall-clock wait.
std::string chromium(const std::string& arguments) {
  const std::string profile = (scratch_dir() / "chromium-profile").string();
  return "timeout 120 chromium --headless --no-sandbox --disable-gpu --no-first-run --user-data-dir=" + profile +
         " --virtual-time-budget=10000 " + arguments;
}

bool chromium_installed() { return std::system("command -v chromium >/dev/null 2>&1") == 0; }

std::string attribute(const std::string& element, const std::string& name) {
  std::smatch m;
  if (!std::regex_search(element, m, std::regex(name + "=\"([^\"]*)\""))) return "";
  return m[1].str();
}

class ChromiumReportTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!chromium_installed()) return;
    const std::string store = (scratch_dir() / "report.db").string();
    const std::string trace = write_scratch("report-trace.csv",
                                            "t_s,device,power_w\n0,gpu0,120\n0.2,gpu0,310\n0.5,gpu0,290\n0.8,gpu0,330\n"
                                            "0,gpu1,100\n0.3,gpu1,250\n0.6,gpu1,240\n");
    struct Recorded {
      const char* optimizer;
      double accuracy;
    };
    for (const Recorded& run : {Recorded{"adam", 0.91}, Recorded{"adam", 0.90}, Recorded{"sgd", 0.84}, Recorded{"sgd", 0.86}}) {
      const std::string child = write_scratch("train.py",
                                              "import sys, time, wattcast\n"
                                              "for e in range(1, 11):\n"
                                              "    wattcast.epoch_begin()\n"
                                              "    t = time.time()\n"
                                              "    while time.time() - t < 0.04: pass\n"
                                              "    wattcast.epoch_end(metrics={'val_acc': float(sys.argv[1]) * e / 10})\n");
      const auto measured = run_cli("measure --interval-ms 10 --replay " + trace + " --out " + store + " --tag optimizer=" + run.optimizer +
                                    " --tag train_samples=1000 -- env PYTHONPATH=" + source_dir() + "/python python3 " + child + " " +
                                    std::to_string(run.accuracy));
      ASSERT_EQ(measured.exit_code, 0) << measured.err;
    }
    report_ = (scratch_dir() / "report.html").string();
    const auto reported = run_cli("report --store " + store + " --by optimizer --metric val_acc --out " + report_);
    ASSERT_EQ(reported.exit_code, 0) << reported.err;
  }

  void SetUp() override {
    ASSERT_TRUE(chromium_installed()) << "chromium is not installed: the report's browser tests need Debian's `chromium` package "
                                         "(scripts/install-deps.sh installs it)";
    ASSERT_TRUE(std::filesystem::exists(report_)) << "the report was not written (see the first failure above)";
  }

  static std::string report_;
};

std::string ChromiumReportTest::report_;

TEST_F(ChromiumReportTest, ThePageReferencesNoScriptOrStyleOutsideItself) {
  const std::string page = read_text(report_);
  EXPECT_EQ(page.find("<script src"), std::string::npos);
  EXPECT_EQ(page.find("<link"), std::string::npos);
  EXPECT_EQ(page.find("@import"), std::string::npos);
  for (const char* attribute : {"src=", "href="}) {
    for (const char* quote : {"\"", "'", ""}) {
      for (const char* url : {"http:", "https:", "//"}) {
        const std::string reference = std::string(attribute) + quote + url;
        EXPECT_EQ(page.find(reference), std::string::npos) << reference;
      }
    }
  }
  EXPECT_NE(page.find("/* vega-embed "), std::string::npos);  // the bundled scripts, inlined
}

TEST_F(ChromiumReportTest, EveryChartRendersAsSvgWithNoError) {
  const std::string dom = (scratch_dir() / "dom.html").string();
  const std::string log = (scratch_dir() / "chromium.log").string();
  ASSERT_EQ(std::system((chromium("--dump-dom file://" + report_) + " >" + dom + " 2>" + log).c_str()), 0) << read_text(log);
  const std::string html = read_text(dom);

  std::smatch status;
  ASSERT_TRUE(std::regex_search(html, status, std::regex("<div id=\"wattcast-status\"[^>]*>"))) << html.substr(0, 2000);
  const std::string element = status[0].str();
  const size_t status_end = html.find("</div>", static_cast<size_t>(status.position(0)));
  EXPECT_EQ(attribute(element, "data-errors"), "0") << html.substr(static_cast<size_t>(status.position(0)), status_end - static_cast<size_t>(status.position(0)));
  EXPECT_EQ(attribute(element, "data-state"), "done");
  // 4 runs x (power, epochs) + box plot + trade-off, and a projection chart for each run whose
  // epochs were level enough for one (the child's epochs are timed, so that can vary).
  const int expected = std::atoi(attribute(element, "data-expected").c_str());
  EXPECT_GE(expected, 10);
  EXPECT_LE(expected, 14);
  EXPECT_EQ(attribute(element, "data-charts"), std::to_string(expected));

  std::vector<std::string> ids;
  const std::regex container("<div class=\"chart[^\"]*\" id=\"([^\"]+)\"");
  for (auto it = std::sregex_iterator(html.begin(), html.end(), container); it != std::sregex_iterator(); ++it) ids.push_back((*it)[1].str());
  ASSERT_EQ(ids.size(), static_cast<size_t>(expected));
  for (size_t i = 0; i < ids.size(); ++i) {
    const size_t begin = html.find("id=\"" + ids[i] + "\"");
    const size_t end = i + 1 < ids.size() ? html.find("id=\"" + ids[i + 1] + "\"") : html.find("id=\"wattcast-status\"");
    const std::string chart = html.substr(begin, end - begin);
    EXPECT_NE(chart.find("<svg"), std::string::npos) << ids[i] << " has no <svg>";
    EXPECT_NE(chart.find("role-mark"), std::string::npos) << ids[i] << " has no marks";
  }
  EXPECT_EQ(read_text(log).find("Uncaught"), std::string::npos) << read_text(log);
}

TEST_F(ChromiumReportTest, AScreenshotShowsTheCharts) {
  const std::string png = (scratch_dir() / "report.png").string();
  const std::string log = (scratch_dir() / "screenshot.log").string();
  std::filesystem::remove(png);
  ASSERT_EQ(std::system((chromium("--hide-scrollbars --window-size=1200,2000 --screenshot=" + png + " file://" + report_) + " >" + log +
                         " 2>&1").c_str()),
            0)
      << read_text(log);
  ASSERT_TRUE(std::filesystem::exists(png)) << read_text(log);
  const std::string stats = (scratch_dir() / "png-stats.txt").string();
  ASSERT_EQ(std::system(("python3 " + source_dir() + "/tests/report/png_stats.py " + png + " >" + stats).c_str()), 0);
  int width = 0, height = 0;
  double not_white = 0;
  ASSERT_EQ(std::sscanf(read_text(stats).c_str(), "%d %d %lf", &width, &height, &not_white), 3) << read_text(stats);
  EXPECT_EQ(width, 1200);
  EXPECT_EQ(height, 2000);
  // Text alone covers well under 1% of a page; charts with their lines, bars and axes more.
  EXPECT_GT(not_white, 0.02);
}

}  // namespace
}  // namespace wattcast::testing
