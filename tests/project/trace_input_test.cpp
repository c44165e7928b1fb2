#include <gtest/gtest.h>

#include <cmath>
#include <numeric>

#include "fakes/temp_tree.h"
#include "project/epoch_trace.h"
#include "project/projection_evaluation.h"
#include "project/synthetic_run.h"

namespace wattcast {
namespace {

TEST(EpochCsvTest, ReadsEpochsAndMetrics) {
  testing::TempTree tree;
  tree.write("e.csv", "epoch,duration_s,energy_kj,val_f1\n1,10,2,0.5\n2,12,2.5,0.6\n");
  auto trace = read_epoch_csv(tree.path("e.csv"));
  ASSERT_TRUE(trace.ok()) << trace.error().message;
  ASSERT_EQ(trace->epochs.size(), 2u);
  EXPECT_DOUBLE_EQ(trace->epochs[1].start_s, 10);
  EXPECT_DOUBLE_EQ(trace->epochs[1].energy_j, 2500);
  EXPECT_DOUBLE_EQ(trace->epochs[1].metrics.at("val_f1"), 0.6);
}

TEST(EpochCsvTest, BadRowsNameTheFileLineAndField) {
  testing::TempTree tree;
  tree.write("missing.csv", "epoch,duration_s\n1,10\n");
  tree.write("nan.csv", "duration_s,energy_j\n10,1000\n10,nan\n");
  tree.write("order.csv", "epoch,duration_s,energy_j\n1,10,1000\n3,10,1000\n");
  tree.write("empty.csv", "duration_s,energy_j\n");
  auto missing = read_epoch_csv(tree.path("missing.csv"));
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("energy_j"), std::string::npos);
  auto nan = read_epoch_csv(tree.path("nan.csv"));
  ASSERT_FALSE(nan.ok());
  EXPECT_NE(nan.error().message.find("nan.csv:3"), std::string::npos) << nan.error().message;
  EXPECT_NE(nan.error().message.find("energy_j"), std::string::npos);
  auto order = read_epoch_csv(tree.path("order.csv"));
  ASSERT_FALSE(order.ok());
  EXPECT_NE(order.error().message.find("order.csv:3"), std::string::npos);
  EXPECT_FALSE(read_epoch_csv(tree.path("empty.csv")).ok());
}

TEST(SyntheticRunTest, TheTruthIsTheSumOfItsEpochsAndTheSeedReproducesIt) {
  SyntheticRunOptions options;
  options.epochs = 30;
  options.phase_switch_epoch = 6;
  options.warmup_epochs = 2;
  const SyntheticRun a = generate_synthetic_run(options);
  const SyntheticRun b = generate_synthetic_run(options);
  double sum = 0;
  for (const auto& e : a.trace.epochs) sum += e.energy_j;
  EXPECT_NEAR(*a.trace.actual_total_j, sum, 1e-6 * sum);
  EXPECT_EQ(*a.trace.actual_total_j, *b.trace.actual_total_j);
  EXPECT_EQ(a.stabilizing_epoch, 6);
  // The switch makes epochs longer and costlier.
  EXPECT_GT(a.trace.epochs[10].energy_j, 1.2 * a.trace.epochs[3].energy_j);
  EXPECT_EQ(a.trace.power.power_w.size(), static_cast<size_t>(std::lround(a.trace.epochs.back().end_s / a.trace.power.bin_s)));
}

TEST(ProjectionEvaluationTest, OnlineEpochEnergyProjectionsAfter15EpochsAreAccurate) {
  std::vector<EpochTrace> traces;
  std::vector<KnownSwitch> switches;
  for (auto& run : synthetic_suite(20, 3)) {
    if (run.options.phase_switch_epoch) switches.push_back({run.trace, *run.options.phase_switch_epoch});
    traces.push_back(run.trace);
  }
  EvaluationOptions options;
  options.detectors = {"online", "fixed"};
  const ProjectionEvaluation e = evaluate_projections(traces, options);
  bool checked = false;
  for (const auto& s : e.scores) {
    if (s.detector == "online" && s.method == "epoch-energy" && s.when == "after 15 epochs") {
      EXPECT_GE(s.available, 18);
      EXPECT_LT(s.median_abs_error_pct, 2.0);
      checked = true;
    }
  }
  EXPECT_TRUE(checked);
  ASSERT_EQ(e.by_window.size(), 9u);
  EXPECT_EQ(e.by_window[3].window, 5);
  EXPECT_EQ(e.by_start_epoch.size(), 20u);
  // A window starting in the warm-up projects worse than one after most switches (epochs 2-15).
  EXPECT_GT(e.by_start_epoch[0].rmse_kj, e.by_start_epoch[11].rmse_kj);
}

}  // namespace
}  // namespace wattcast

namespace wattcast {
namespace {

// Issue 13's targets on the widened generator (switches at epochs 2-15, checkpoints, start-up and
// teardown, parameter counts in half the runs), with the default online detector.
TEST(ProjectionEvaluationTest, IntervalsHoldTheTruthFromTheFirstProjectionOn) {
  std::vector<EpochTrace> traces;
  for (auto& run : synthetic_suite(60, 13)) traces.push_back(run.trace);
  EvaluationOptions options;
  options.detectors = {"online"};
  const ProjectionEvaluation e = evaluate_projections(traces, options);
  int checked = 0;
  for (const auto& s : e.scores) {
    if (s.method != "epoch-energy") continue;
    if (s.when == "first available") {
      EXPECT_GE(s.coverage, 0.85);
      ++checked;
    } else if (s.when == "after 20 epochs") {
      EXPECT_LE(s.median_abs_error_pct, 1.5);
      EXPECT_LE(s.p90_abs_error_pct, 4.0);
      ++checked;
    }
  }
  EXPECT_EQ(checked, 2);
  for (const auto& c : e.by_epoch) {
    if (c.available >= 10) EXPECT_GE(c.coverage, 0.85) << "after epoch " << c.epoch << " (" << c.available << " runs)";
  }
}

}  // namespace
}  // namespace wattcast
