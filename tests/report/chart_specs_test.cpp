// The Vega-Lite specs: data inline, the marks each chart promises, no chart asked for without data.

#include <gtest/gtest.h>

#include "report/chart_specs.h"
#include "report/report_page.h"
#include "report_fixtures.h"

namespace wattcast {
namespace {

using testing::sample_run;
using json = nlohmann::json;

// Every mark type used anywhere in a (layered) spec.
std::vector<std::string> marks(const json& spec) {
  std::vector<std::string> out;
  if (spec.contains("mark")) out.push_back(spec["mark"].is_string() ? spec["mark"].get<std::string>() : spec["mark"]["type"].get<std::string>());
  if (spec.contains("layer")) {
    for (const auto& layer : spec["layer"]) {
      for (auto& m : marks(layer)) out.push_back(m);
    }
  }
  return out;
}

bool has_mark(const json& spec, const std::string& mark) {
  const auto all = marks(spec);
  return std::find(all.begin(), all.end(), mark) != all.end();
}

TEST(ChartSpecsTest, PowerChartHasOneLinePerDeviceEpochRulesAndTheStabilizingEpoch) {
  const json spec = power_chart_spec(sample_run(1, "adam", 6000, 0.9));
  EXPECT_FALSE(spec.contains("$schema"));  // the page's only URL would be this one
  ASSERT_EQ(spec["layer"].size(), 4u);     // line, epoch rules, stabilizing rule, its label
  EXPECT_EQ(spec["layer"][0]["mark"]["type"], "line");
  EXPECT_EQ(spec["layer"][0]["data"]["values"].size(), 61u);
  EXPECT_EQ(spec["layer"][0]["data"]["values"][0]["device"], "gpu0 Test GPU");
  EXPECT_EQ(spec["layer"][1]["data"]["values"].size(), 6u);
  EXPECT_EQ(spec["layer"][2]["data"]["values"][0]["t_s"], 10.0);  // epoch 2 starts at 10 s
  EXPECT_EQ(spec["layer"][3]["data"]["values"][0]["label"], "stable from epoch 2");
}

TEST(ChartSpecsTest, EpochChartGreysEpochsBeforeStabilizing) {
  const json spec = epoch_chart_spec(sample_run(1, "adam", 6000, 0.9));
  const auto& values = spec["data"]["values"];
  ASSERT_EQ(values.size(), 6u);
  EXPECT_EQ(values[0]["phase"], "before stabilizing");
  EXPECT_EQ(values[1]["phase"], "stable");
  EXPECT_DOUBLE_EQ(values[0]["energy_kj"].get<double>(), 1.0);
  EXPECT_DOUBLE_EQ(values[0]["duration_s"].get<double>(), 10.0);
  EXPECT_TRUE(has_mark(spec, "bar"));
  EXPECT_TRUE(has_mark(spec, "line"));
  EXPECT_EQ(spec["resolve"]["scale"]["y"], "independent");
}

TEST(ChartSpecsTest, ProjectionChartShowsEachEstimatorAndTheMeasuredTotal) {
  const json spec = projection_chart_spec(sample_run(1, "adam", 6000, 0.9));
  ASSERT_EQ(spec["layer"].size(), 3u);
  EXPECT_EQ(spec["layer"][0]["data"]["values"].size(), 2u);
  EXPECT_EQ(spec["layer"][0]["data"]["values"][0]["estimator"], "epoch-energy (after epoch 5)");
  EXPECT_DOUBLE_EQ(spec["layer"][2]["data"]["values"][0]["actual_kj"].get<double>(), 6.0);
}

TEST(ChartSpecsTest, GroupsAndTradeoffFromRunsTaggedWithTheFactor) {
  std::vector<RunReport> runs = {sample_run(1, "adam", 6000, 0.90), sample_run(2, "adam", 6600, 0.91), sample_run(3, "sgd", 5000, 0.85),
                                 sample_run(4, "sgd", 7000, 0.80)};
  runs[3].run.tags.erase("optimizer");
  const RunComparison comparison = group_runs_for_report(runs, {"optimizer", "energy_kj", true});
  ASSERT_TRUE(comparison.groups.has_value());
  ASSERT_EQ(comparison.groups->groups.size(), 2u);
  EXPECT_EQ(comparison.groups->groups[0].first, "adam");
  EXPECT_EQ(comparison.groups->groups[1].second, std::vector<double>({5.0}));
  ASSERT_EQ(comparison.groups->statistics_table.size(), 3u);
  EXPECT_EQ(comparison.groups->statistics_table[1][2], "6.3");  // median of 6.0 and 6.6 kJ
  const bool names_untagged = std::any_of(comparison.notes.begin(), comparison.notes.end(),
                                          [](const std::string& n) { return n.find("without the tag 'optimizer'") != std::string::npos; });
  EXPECT_TRUE(names_untagged);

  const json box = group_box_plot_spec(*comparison.groups);
  EXPECT_TRUE(has_mark(box, "boxplot"));
  EXPECT_EQ(box["data"]["values"].size(), 3u);

  // val_acc, the metric the runs report, per epoch (no train_samples tag): 1000, 1100, 833, 1167 J.
  ASSERT_TRUE(comparison.tradeoff.has_value());
  EXPECT_EQ(comparison.tradeoff->metric, "val_acc");
  EXPECT_EQ(comparison.tradeoff->energy_unit, "epoch");
  std::vector<bool> front;
  for (const auto& p : comparison.tradeoff->points) front.push_back(p.pareto);
  EXPECT_EQ(front, std::vector<bool>({true, true, true, false}));
  const json tradeoff = tradeoff_chart_spec(*comparison.tradeoff);
  EXPECT_EQ(tradeoff["layer"][0]["data"]["values"].size(), 3u);  // the front's line
  EXPECT_EQ(tradeoff["layer"][1]["data"]["values"].size(), 4u);
}

TEST(ChartSpecsTest, EnergyIsPerTrainingSampleWhenEveryRunSaysHowMany) {
  std::vector<RunReport> runs = {sample_run(1, "adam", 6000, 0.90), sample_run(2, "sgd", 3000, 0.80)};
  for (auto& r : runs) r.run.tags["train_samples"] = "100";
  const RunComparison comparison = group_runs_for_report(runs, {"optimizer", "val_acc", true});
  ASSERT_TRUE(comparison.tradeoff.has_value());
  EXPECT_EQ(comparison.tradeoff->energy_unit, "sample");
  EXPECT_DOUBLE_EQ(comparison.tradeoff->points[0].energy_per_unit_j, 6000.0 / (6 * 100));
  EXPECT_TRUE(comparison.tradeoff->points[0].pareto);
  EXPECT_TRUE(comparison.tradeoff->points[1].pareto);
  ASSERT_TRUE(comparison.groups.has_value());
  EXPECT_NEAR(comparison.groups->groups[0].second[0], 0.9, 1e-12);  // the last epoch's val_acc
}

TEST(ChartSpecsTest, LowerIsBetterFlipsTheParetoFront) {
  TradeoffChart chart;
  chart.higher_is_better = false;
  chart.points = {{"a", "", 1, 0.5, false}, {"b", "", 2, 0.4, false}, {"c", "", 3, 0.6, false}};
  mark_pareto_front(chart);
  EXPECT_TRUE(chart.points[0].pareto);
  EXPECT_TRUE(chart.points[1].pareto);
  EXPECT_FALSE(chart.points[2].pareto);
}

TEST(ChartSpecsTest, ChartsWithoutDataAreLeftOutWithANote) {
  RunReport bare = sample_run(7, "adam", 6000, 0.9);
  bare.power.clear();
  bare.epochs.clear();
  bare.projections.clear();
  bare.stabilizing_epoch.reset();
  ReportContent content;
  content.source = "runs.db";
  content.runs = {bare};
  content.comparison.notes.push_back("one run: no group comparison");
  const Page page = report_page(content);
  size_t charts = 0;
  std::string notes;
  for (const auto& section : page.sections) {
    charts += section.charts.size();
    for (const auto& n : section.notes) notes += n + "\n";
  }
  EXPECT_EQ(charts, 0u);
  EXPECT_NE(notes.find("no power chart"), std::string::npos) << notes;
  EXPECT_NE(notes.find("one run: no group comparison"), std::string::npos) << notes;

  const RunComparison single_group = group_runs_for_report({sample_run(1, "adam", 1, 1), sample_run(2, "adam", 2, 2)}, {"optimizer", "energy_kj", true});
  EXPECT_FALSE(single_group.groups.has_value());
  const RunComparison ungrouped = group_runs_for_report({sample_run(1, "adam", 1, 1), sample_run(2, "sgd", 2, 2)}, {"", "energy_kj", true});
  EXPECT_FALSE(ungrouped.groups.has_value());
  EXPECT_TRUE(ungrouped.tradeoff.has_value());
}

// `report --by`: the trade-off uses the metric most runs report, not the one a single run does;
// and groups of one run each get no test at all, Mann-Whitney included.
TEST(RunComparisonTest, TradeoffUsesTheMetricMostRunsReportAndOneAgainstOneIsNotTested) {
  std::vector<RunReport> runs = {sample_run(1, "adam", 6000, 0.9), sample_run(2, "sgd", 5000, 0.8)};
  RunReport odd = sample_run(3, "adam", 7000, 0.7);
  for (auto& e : odd.epochs) e.metrics = {{"accuracy", 0.5}};  // named first, reported by one run
  runs.push_back(odd);
  const RunComparison comparison = group_runs_for_report(runs, {"optimizer", "val_f1_not_reported", true});
  ASSERT_TRUE(comparison.tradeoff.has_value());
  EXPECT_EQ(comparison.tradeoff->metric, "val_acc");

  const RunComparison pair = group_runs_for_report({sample_run(1, "adam", 6000, 0.9), sample_run(2, "sgd", 5000, 0.8)}, {"optimizer", "energy_kj", true});
  ASSERT_TRUE(pair.groups.has_value());
  for (const auto& row : pair.groups->tests_table) {
    if (row.front() == "Mann-Whitney U") EXPECT_EQ(row[1], "skipped") << row[3];
  }
}

}  // namespace
}  // namespace wattcast
