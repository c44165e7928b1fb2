// The exposition format: escaping, HELP/TYPE blocks, values, and the counters' monotony.

#include "export/prometheus_text.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <map>
#include <sstream>

#include "export/metrics_snapshot.h"

namespace wattcast {
namespace {

TEST(PrometheusTextTest, EscapesLabelValuesAsTheFormatRequires) {
  EXPECT_EQ(escape_label_value("plain-value_1.0"), "plain-value_1.0");
  EXPECT_EQ(escape_label_value(R"(C:\runs)"), R"(C:\\runs)");
  EXPECT_EQ(escape_label_value(R"(say "hi")"), R"(say \"hi\")");
  EXPECT_EQ(escape_label_value("two\nlines"), R"(two\nlines)");
  EXPECT_EQ(escape_label_value("é, {a=b}"), "é, {a=b}");  // UTF-8 and braces pass through
}

TEST(PrometheusTextTest, EscapesHelpButNotQuotes) {
  EXPECT_EQ(escape_help("a \"b\" c\\d\ne"), "a \"b\" c\\\\d\\ne");
}

TEST(PrometheusTextTest, FormatsValuesSoTheyReadBackTheSame) {
  EXPECT_EQ(format_sample_value(0), "0");
  EXPECT_EQ(format_sample_value(1234.5), "1234.5");
  EXPECT_EQ(format_sample_value(0.1), "0.1");
  EXPECT_EQ(std::stod(format_sample_value(1.0 / 3)), 1.0 / 3);
  EXPECT_EQ(std::stod(format_sample_value(6.02e23)), 6.02e23);
  EXPECT_EQ(format_sample_value(std::nan("")), "NaN");
  EXPECT_EQ(format_sample_value(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(format_sample_value(-std::numeric_limits<double>::infinity()), "-Inf");
}

TEST(PrometheusTextTest, WritesHelpTypeAndSamplesLeavingOutEmptyLabels) {
  ExpositionWriter out;
  out.family("x_energy_joules_total", MetricType::kCounter, "Energy, J.");
  out.sample({{"host", "node\"1"}, {"job", ""}, {"index", "0"}}, 12.5);
  out.sample({}, 3);
  out.family("x_power_watts", MetricType::kGauge, "Power.\nW");
  out.sample({{"index", "1"}}, 250);
  EXPECT_EQ(out.text(),
            "# HELP x_energy_joules_total Energy, J.\n"
            "# TYPE x_energy_joules_total counter\n"
            "x_energy_joules_total{host=\"node\\\"1\",index=\"0\"} 12.5\n"
            "x_energy_joules_total 3\n"
            "# HELP x_power_watts Power.\\nW\n"
            "# TYPE x_power_watts gauge\n"
            "x_power_watts{index=\"1\"} 250\n");
}

MetricsSnapshot two_gpu_run(double energy0_j, double energy1_j, double samples) {
  RunMetrics run;
  run.run_id = 7;
  run.host = "node-1";
  run.tags = {{"job", "resnet \"big\""}, {"ranks", "0-3"}, {"model", "ignored"}};
  run.energy_j = energy0_j + energy1_j;
  run.power_w = 500;
  run.elapsed_s = 12;
  run.epoch = 2;
  run.epochs_done = 1;
  run.samples_written = static_cast<int64_t>(samples);
  run.devices = {{11, "gpu", "A100", "GPU-aaa", 0, energy0_j, 250}, {12, "gpu", "A100", "GPU-bbb", 1, energy1_j, std::nan("")}};
  run.epochs = {{1, 100}, {2, energy0_j + energy1_j - 100}};
  return MetricsSnapshot{{run}};
}

// Every sample line's series -> value; every family's HELP and TYPE line counted.
struct ParsedPage {
  std::map<std::string, double> series;
  std::map<std::string, int> help, type;
  std::map<std::string, std::string> type_of;
};

ParsedPage parse(const std::string& page) {
  ParsedPage parsed;
  std::istringstream lines(page);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind("# HELP ", 0) == 0) {
      ++parsed.help[line.substr(7, line.find(' ', 7) - 7)];
    } else if (line.rfind("# TYPE ", 0) == 0) {
      const std::string name = line.substr(7, line.find(' ', 7) - 7);
      ++parsed.type[name];
      parsed.type_of[name] = line.substr(line.rfind(' ') + 1);
    } else if (!line.empty()) {
      const size_t space = line.rfind(' ');
      parsed.series[line.substr(0, space)] = std::stod(line.substr(space + 1));
    }
  }
  return parsed;
}

TEST(MetricsSnapshotTest, RendersEveryFamilyOnceWithLabelsFromTheRun) {
  const ParsedPage page = parse(render_metrics(two_gpu_run(1000, 2000, 40), "9.9.9"));
  for (const auto& [name, count] : page.type) {
    EXPECT_EQ(count, 1) << name;
    EXPECT_EQ(page.help.at(name), 1) << name;
  }
  EXPECT_EQ(page.type_of.at("wattcast_energy_joules_total"), "counter");
  EXPECT_EQ(page.type_of.at("wattcast_power_watts"), "gauge");
  EXPECT_EQ(page.type_of.at("wattcast_epoch"), "gauge");
  EXPECT_EQ(page.type_of.at("wattcast_epoch_energy_joules_total"), "counter");
  const std::string run = R"(host="node-1",run="7",training_job="resnet \"big\"",rank="0-3")";
  EXPECT_EQ(page.series.at("wattcast_up"), 1);
  EXPECT_EQ(page.series.at(R"(wattcast_build_info{version="9.9.9"})"), 1);
  EXPECT_EQ(page.series.at("wattcast_energy_joules_total{" + run + R"(,kind="gpu",index="1",uuid="GPU-bbb",name="A100"})"), 2000);
  EXPECT_EQ(page.series.at("wattcast_power_watts{" + run + R"(,kind="gpu",index="0",uuid="GPU-aaa",name="A100"})"), 250);
  // A device without a power figure has no power series rather than NaN.
  EXPECT_EQ(page.series.count("wattcast_power_watts{" + run + R"(,kind="gpu",index="1",uuid="GPU-bbb",name="A100"})"), 0u);
  EXPECT_EQ(page.series.at("wattcast_run_energy_joules_total{" + run + "}"), 3000);
  EXPECT_EQ(page.series.at("wattcast_epoch{" + run + "}"), 2);
  EXPECT_EQ(page.series.at("wattcast_epochs_completed_total{" + run + "}"), 1);
  EXPECT_EQ(page.series.at("wattcast_samples_written_total{" + run + "}"), 40);
  EXPECT_EQ(page.series.at("wattcast_epoch_energy_joules_total{" + run + R"(,epoch="2"})"), 2900);
  // A device with no figure at all (the process tree) has no energy series rather than a flat 0.
  auto with_process = two_gpu_run(1, 2, 3);
  with_process.runs[0].devices.push_back({13, "process", "tree", "pid-1", 0, 0, std::nan(""), false});
  EXPECT_EQ(render_metrics(with_process, "1").find("pid-1"), std::string::npos);
  // No other tag becomes a label.
  EXPECT_EQ(render_metrics(two_gpu_run(1, 2, 3), "1").find("ignored"), std::string::npos);
}

// 50,000 epochs must not make a page of megabytes: the most recent epochs only.
TEST(MetricsSnapshotTest, EpochSeriesAreTheMostRecentOnly) {
  auto snapshot = two_gpu_run(1, 2, 3);
  snapshot.runs[0].epochs.clear();
  for (int epoch = 1; epoch <= 50'000; ++epoch) snapshot.runs[0].epochs.push_back({epoch, 1.0 * epoch});
  const ParsedPage page = parse(render_metrics(snapshot, "1"));
  int epoch_series = 0;
  for (const auto& [series, value] : page.series) epoch_series += series.rfind("wattcast_epoch_energy_joules_total{", 0) == 0 ? 1 : 0;
  EXPECT_EQ(epoch_series, static_cast<int>(kEpochSeriesShown));
  const std::string run = R"(host="node-1",run="7",training_job="resnet \"big\"",rank="0-3")";
  EXPECT_EQ(page.series.count("wattcast_epoch_energy_joules_total{" + run + R"(,epoch="50000"})"), 1u);
  EXPECT_EQ(page.series.count("wattcast_epoch_energy_joules_total{" + run + R"(,epoch="1"})"), 0u);
}

TEST(MetricsSnapshotTest, CountersNeverGoBackAcrossSnapshots) {
  SnapshotBoard board;
  board.publish(two_gpu_run(1000, 2000, 40));
  const auto first = parse(render_metrics(*board.current(), "1"));
  board.publish(two_gpu_run(900, 2500, 30));  // device 0 and the sample count fell back
  const auto second = parse(render_metrics(*board.current(), "1"));
  for (const auto& [series, value] : first.series) {
    const std::string name = series.substr(0, series.find('{'));
    if (first.type_of.at(name) != "counter") continue;
    ASSERT_TRUE(second.series.count(series)) << series;
    EXPECT_GE(second.series.at(series), value) << series;
  }
  const auto& devices = board.current()->runs[0].devices;
  EXPECT_EQ(devices[0].energy_j, 1000);  // kept
  EXPECT_EQ(devices[1].energy_j, 2500);  // grew
  EXPECT_EQ(board.current()->runs[0].samples_written, 40);
  // Gauges follow the figures down.
  auto lower = two_gpu_run(1000, 2000, 40);
  lower.runs[0].power_w = 10;
  board.publish(lower);
  EXPECT_EQ(board.current()->runs[0].power_w, 10);
}

}  // namespace
}  // namespace wattcast
