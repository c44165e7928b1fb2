// The page: self-contained (no external URL, scripts and styles inline), the specs escaped so a
// run's command cannot break out of their <script> element, the status element tests read.

#include <gtest/gtest.h>

#include "report/html_page.h"
#include "report/report_assets.h"
#include "report/report_page.h"
#include "report_fixtures.h"

namespace wattcast {
namespace {

using testing::sample_run;

const std::string kFakeScripts = "/* vega */ window.vegaEmbed = function () { return Promise.resolve(); };";

ReportContent two_runs(const std::string& command) {
  ReportContent content;
  content.source = "runs.db";
  content.runs = {sample_run(1, "adam", 6000, 0.9), sample_run(2, "sgd", 5000, 0.8)};
  content.runs[0].run.command = command;
  content.comparison = group_runs_for_report(content.runs, {"optimizer", "energy_kj", true});
  return content;
}

TEST(HtmlPageTest, ThePageIsSelfContained) {
  const std::string html = render_page(report_page(two_runs("python train.py")), kFakeScripts);
  EXPECT_EQ(html.find("http://"), std::string::npos);
  EXPECT_EQ(html.find("https://"), std::string::npos);
  EXPECT_EQ(html.find("<link"), std::string::npos);
  EXPECT_EQ(html.find(" src="), std::string::npos);
  EXPECT_NE(html.find("<style>"), std::string::npos);
  EXPECT_NE(html.find(kFakeScripts), std::string::npos);  // the assets, inlined as given
  EXPECT_NE(html.find("renderer: \"svg\""), std::string::npos);
}

TEST(HtmlPageTest, EveryChartHasAContainerAndASpecAndTheStatusCountsThem) {
  const Page page = report_page(two_runs("python train.py"));
  const std::string html = render_page(page, kFakeScripts);
  size_t expected = 0;
  for (const auto& section : page.sections) {
    for (const auto& chart : section.charts) {
      ++expected;
      EXPECT_NE(html.find("<div class=\"chart\" id=\"" + chart.id + "\"></div>"), std::string::npos) << chart.id;
    }
  }
  EXPECT_EQ(expected, 2u * 3u + 2u);  // power, epochs, projections per run; box plot, trade-off
  EXPECT_NE(html.find("<div id=\"wattcast-status\" data-expected=\"8\" data-charts=\"0\" data-errors=\"0\""), std::string::npos);

  const std::string open = "<script type=\"application/json\" id=\"wattcast-specs\">";
  const size_t begin = html.find(open);
  ASSERT_NE(begin, std::string::npos);
  const size_t end = html.find("</script>", begin);
  ASSERT_NE(end, std::string::npos);
  const auto parsed = nlohmann::json::parse(html.substr(begin + open.size(), end - begin - open.size()));
  ASSERT_EQ(parsed.size(), 8u);
  EXPECT_EQ(parsed[0]["id"], "groups-box-plot");
}

TEST(HtmlPageTest, ACommandWithScriptTagsCannotBreakThePage) {
  const std::string evil = "python -c '</script><script>alert(1)</script><!--' & echo \"x\"";
  const std::string html = render_page(report_page(two_runs(evil)), kFakeScripts);
  EXPECT_EQ(html.find("alert(1)</script>"), std::string::npos);
  EXPECT_EQ(html.find("<script>alert"), std::string::npos);
  EXPECT_EQ(html.find("<!--"), std::string::npos);
  // In the text: HTML-escaped. In the specs: \u escapes, which JSON.parse turns back.
  EXPECT_NE(html.find("command: python -c &#39;&lt;/script&gt;&lt;script&gt;alert(1)"), std::string::npos);
  const nlohmann::json round_trip = nlohmann::json::parse(json_for_script(nlohmann::json{{"command", evil}}));
  EXPECT_EQ(round_trip["command"], evil);
  EXPECT_EQ(json_for_script(nlohmann::json("</script>")), "\"\\u003c/script\\u003e\"");
  // Every "</script" left in the page closes one of the page's own four script elements.
  size_t closings = 0;
  for (size_t at = html.find("</script"); at != std::string::npos; at = html.find("</script", at + 1)) ++closings;
  EXPECT_EQ(closings, 4u);
}

TEST(HtmlPageTest, InvalidUtf8InACommandIsReplacedNotThrown) {
  EXPECT_NO_THROW(render_page(report_page(two_runs("python \xff\xfe train.py")), kFakeScripts));
}

TEST(HtmlPageTest, AssetsThatCannotBeInlinedAreRefused) {
  EXPECT_TRUE(check_report_assets(kFakeScripts, "assets.js").ok());
  const auto closing = check_report_assets("var s = '</SCRIPT>'; vegaEmbed();", "assets.js");
  ASSERT_FALSE(closing.ok());
  EXPECT_NE(closing.error().message.find("assets.js"), std::string::npos);
  EXPECT_FALSE(check_report_assets("", "assets.js").ok());
  EXPECT_FALSE(check_report_assets("console.log(1)", "assets.js").ok());
}

}  // namespace
}  // namespace wattcast
