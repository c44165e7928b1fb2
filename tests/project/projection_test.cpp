#include "project/projection.h"

#include <gtest/gtest.h>

namespace wattcast {
namespace {

EpochTrace epochs_of(const std::vector<std::pair<double, double>>& duration_energy) {
  EpochTrace trace;
  trace.source = "test";
  double t = 0;
  for (const auto& [d, e] : duration_energy) {
    EpochRecord r;
    r.epoch = static_cast<int>(trace.epochs.size()) + 1;
    r.start_s = t;
    r.end_s = t + d;
    r.energy_j = e;
    t += d;
    trace.epochs.push_back(r);
  }
  return trace;
}

const Stabilization kFromEpoch3{3, 1, "fixed", ""};

// The whole model trains (the parameter counts say so): no phase switch can come.
EpochTrace fully_trained(EpochTrace trace) {
  for (auto& e : trace.epochs) e.trainable_params = e.total_params = 1e6;
  return trace;
}

TEST(ProjectionTest, LevelEpochsProjectExactlyWithAZeroWidthInterval) {
  // Two warm-up epochs, then level epochs of 10 s and 1000 J.
  auto trace = fully_trained(epochs_of({{20, 1500}, {15, 1200}, {10, 1000}, {10, 1000}, {10, 1000}, {10, 1000}, {10, 1000}}));
  auto set = project_total(trace, kFromEpoch3, 20);
  ASSERT_TRUE(set.ok()) << set.error().message;
  const Projection& by_energy = set->projections.at(0);
  EXPECT_EQ(by_energy.method, "epoch-energy");
  EXPECT_DOUBLE_EQ(by_energy.energy_j, 1500 + 1200 + 18 * 1000.0);
  EXPECT_DOUBLE_EQ(by_energy.low_j, by_energy.energy_j);
  EXPECT_DOUBLE_EQ(by_energy.high_j, by_energy.energy_j);
  EXPECT_DOUBLE_EQ(by_energy.duration_s, 35 + 18 * 10.0);
  // Power-based: the window's 100 W over the whole projected duration, warm-up included.
  const Projection& by_power = set->projections.at(1);
  EXPECT_EQ(by_power.method, "power");
  EXPECT_DOUBLE_EQ(by_power.energy_j, 100.0 * (35 + 18 * 10.0));
  EXPECT_EQ(by_energy.window_first, 3);
  EXPECT_EQ(by_energy.window_last, 7);
}

TEST(ProjectionTest, StartUpAndGapsAreMeasuredAndTheTeardownIsAllowedFor) {
  auto trace = fully_trained(epochs_of({{10, 1000}, {10, 1000}, {10, 1000}, {10, 1000}, {10, 1000}, {10, 1000}}));
  trace.epochs[0].energy_before_j = 2000;  // start-up
  for (size_t i = 1; i < trace.epochs.size(); ++i) trace.epochs[i].energy_before_j = 50;  // a checkpoint between epochs
  auto set = project_total(trace, Stabilization{2, 1, "fixed", ""}, 10);
  ASSERT_TRUE(set.ok()) << set.error().message;
  const Projection& p = set->projections.at(0);
  EXPECT_DOUBLE_EQ(p.measured_j, 2000 + 6 * 1000 + 5 * 50);
  EXPECT_DOUBLE_EQ(p.teardown_j, 400);  // 20% of the start-up
  // Each epoch to come brings its gap; the teardown is 0-50% of the start-up.
  EXPECT_DOUBLE_EQ(p.energy_j, 8250 + 4 * 1050 + 400);
  EXPECT_DOUBLE_EQ(p.low_j, 8250 + 4 * 1050);
  EXPECT_DOUBLE_EQ(p.high_j, 8250 + 4 * 1050 + 1000);
  // Power-based: the window's 100 W over the epochs' 100 s, and the energy outside them.
  EXPECT_DOUBLE_EQ(set->projections.at(1).energy_j, 100.0 * 100 + 2250 + 4 * 50 + 400);
}

TEST(ProjectionTest, BeforeEpoch15TheIntervalAllowsForAPhaseSwitchAndSaysWhy) {
  auto level = epochs_of({{10, 1000}, {10, 1000}, {10, 1000}, {10, 1000}, {10, 1000}});
  auto set = project_total(level, Stabilization{1, 1, "fixed", ""}, 20);
  ASSERT_TRUE(set.ok());
  const Projection& p = set->projections.at(0);
  EXPECT_DOUBLE_EQ(p.energy_j, 20000);
  EXPECT_DOUBLE_EQ(p.low_j, 20000);
  EXPECT_DOUBLE_EQ(p.high_j, 5000 + 3 * 15000.0);  // the 15 epochs to come at up to 3 times the energy
  EXPECT_NE(p.wide_because.find("may still come by epoch 15 (the training code reports no parameter counts)"), std::string::npos)
      << p.wide_because;

  // Frozen layers: the counts show a switch may come.
  auto frozen = level;
  for (auto& e : frozen.epochs) {
    e.trainable_params = 2.1e6;
    e.total_params = 23.5e6;
  }
  const Projection f = project_total(frozen, Stabilization{1, 1, "fixed", ""}, 20)->projections.at(0);
  EXPECT_NE(f.wide_because.find("2.1M of the model's 23.5M parameters train"), std::string::npos) << f.wide_because;
  EXPECT_DOUBLE_EQ(f.high_j, p.high_j);
  // Nothing frozen: no switch to allow for.
  const Projection all = project_total(fully_trained(level), Stabilization{1, 1, "fixed", ""}, 20)->projections.at(0);
  EXPECT_TRUE(all.wide_because.empty());
  EXPECT_DOUBLE_EQ(all.high_j, 20000);
}

TEST(ProjectionTest, AtTheWindowsEndItIsTheStudysFormula) {
  // E = E_w x s / w + E_u with s the stable epochs of the whole run.
  auto trace = epochs_of({{12, 900}, {10, 1000}, {10, 1100}, {10, 950}, {10, 1050}, {10, 1000}});
  Stabilization from2{2, 1, "fixed", ""};
  auto set = project_total(trace, from2, 30);
  ASSERT_TRUE(set.ok());
  const double window_j = 1000 + 1100 + 950 + 1050 + 1000;
  EXPECT_NEAR(set->projections[0].energy_j, window_j * 29 / 5 + 900, 1e-9);
  EXPECT_LT(set->projections[0].low_j, set->projections[0].energy_j);
  EXPECT_GT(set->projections[0].high_j, set->projections[0].energy_j);
}

TEST(ProjectionTest, TheWindowCanStartWhereTheUserSays) {
  auto trace = epochs_of({{10, 500}, {10, 1000}, {10, 1000}, {10, 2000}, {10, 2000}});
  ProjectionOptions options;
  options.window = 2;
  options.window_first = 2;
  auto set = project_total(trace, Stabilization{2, 1, "fixed", ""}, 10, options);
  ASSERT_TRUE(set.ok());
  EXPECT_DOUBLE_EQ(set->projections[0].energy_j, 6500 + 5 * 1000.0);
  options.window_first = 5;  // would end past the epochs seen
  EXPECT_FALSE(project_total(trace, Stabilization{2, 1, "fixed", ""}, 10, options).ok());
}

TEST(ProjectionTest, SaysWhatIsMissing) {
  auto trace = epochs_of({{10, 1000}, {10, 1000}, {10, 1000}, {10, 1000}});
  auto too_few = project_total(trace, kFromEpoch3, 20);
  ASSERT_FALSE(too_few.ok());
  EXPECT_NE(too_few.error().message.find("2 stable epoch(s) seen from epoch 3"), std::string::npos) << too_few.error().message;
  EXPECT_FALSE(project_total(trace, Stabilization{1, 1, "fixed", ""}, 3).ok());  // fewer than seen
  ProjectionOptions one;
  one.window = 1;
  EXPECT_FALSE(project_total(trace, Stabilization{1, 1, "fixed", ""}, 10, one).ok());
}

TEST(ProjectionTest, ZeroLengthEpochsLeaveOnlyTheEpochEnergyProjection) {
  auto trace = epochs_of({{10, 1000}, {0, 1000}, {10, 1000}, {10, 1000}, {10, 1000}});
  auto set = project_total(trace, Stabilization{1, 1, "fixed", ""}, 10);
  ASSERT_TRUE(set.ok());
  ASSERT_EQ(set->projections.size(), 1u);
  EXPECT_EQ(set->projections[0].method, "epoch-energy");
  ASSERT_EQ(set->notes.size(), 1u);
  EXPECT_NE(set->notes[0].find("zero-length"), std::string::npos);
}

TEST(ProjectionTest, TheLowerBoundNeverFallsBelowWhatIsSpent) {
  auto trace = epochs_of({{10, 100}, {10, 5000}, {10, 100}, {10, 5000}, {10, 100}});
  auto set = project_total(trace, Stabilization{1, 1, "fixed", ""}, 6);
  ASSERT_TRUE(set.ok());
  EXPECT_GE(set->projections[0].low_j, 10300);
}

}  // namespace
}  // namespace wattcast
