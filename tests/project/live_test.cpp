#include <gtest/gtest.h>

#include "project/early_stopping.h"
#include "project/epoch_clock.h"
#include "project/live_projector.h"

namespace wattcast {
namespace {

EpochRecord epoch(double duration_s, double energy_j, std::map<std::string, double> metrics = {}) {
  EpochRecord r;
  r.end_s = duration_s;
  r.energy_j = energy_j;
  r.metrics = std::move(metrics);
  return r;
}

TEST(EpochClockTest, EndMarkersCloseEpochsAndMeasureTheirEnergy) {
  EpochClock clock(1000);
  EXPECT_FALSE(clock.begin(1, 1001, 50).has_value());
  auto first = clock.end(1, 1011, 1050, {{"val_f1", 0.5}});
  ASSERT_TRUE(first.has_value());
  EXPECT_DOUBLE_EQ(first->start_s, 1);
  EXPECT_DOUBLE_EQ(first->end_s, 11);
  EXPECT_DOUBLE_EQ(first->energy_j, 1000);
  EXPECT_EQ(first->metrics.at("val_f1"), 0.5);
  // An end without a begin starts where the previous ended.
  auto second = clock.end(2, 1021, 2050, {});
  ASSERT_TRUE(second.has_value());
  EXPECT_DOUBLE_EQ(second->start_s, 11);
  EXPECT_DOUBLE_EQ(second->energy_j, 1000);
}

TEST(EpochClockTest, TheEnergyBeforeEachEpochIsKeptWithItsParameterCounts) {
  EpochClock clock(0);
  EXPECT_FALSE(clock.begin(1, 12, 600, 2.1e6, 23.5e6).has_value());  // 600 J of start-up
  auto first = clock.end(1, 22, 1600, {});
  EXPECT_DOUBLE_EQ(first->energy_before_j, 600);
  EXPECT_DOUBLE_EQ(first->energy_j, 1000);
  EXPECT_EQ(first->trainable_params, 2.1e6);
  EXPECT_EQ(first->total_params, 23.5e6);
  clock.begin(2, 23, 1650);  // a checkpoint between the epochs
  auto second = clock.end(2, 33, 2650, {});
  EXPECT_DOUBLE_EQ(second->energy_before_j, 50);
  EXPECT_FALSE(second->trainable_params.has_value());
}

TEST(EpochClockTest, BeginOnlyMarkersCloseTheEpochBefore) {
  EpochClock clock(0);
  EXPECT_FALSE(clock.begin(1, 0, 0).has_value());
  auto first = clock.begin(2, 10, 900);
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->epoch, 1);
  EXPECT_DOUBLE_EQ(first->energy_j, 900);
  EXPECT_FALSE(clock.begin(2, 11, 950).has_value());  // the same epoch printed twice
}

LiveProjector projector(LiveProjectorOptions options) { return std::move(LiveProjector::create(std::move(options))).value(); }

TEST(LiveProjectorTest, ProjectsOnceTheWindowIsFull) {
  LiveProjectorOptions options;
  options.total_epochs = 20;
  options.projection.window = 3;
  LiveProjector live = projector(options);
  std::vector<bool> projected;
  for (int e = 1; e <= 6; ++e) projected.push_back(live.epoch_finished(epoch(10, 1000)).projection.has_value());
  // online: stable after 3 epochs, the window of 3 is full at once.
  EXPECT_EQ(projected, (std::vector<bool>{false, false, true, true, true, true}));
  ASSERT_TRUE(live.latest_projection().has_value());
  EXPECT_DOUBLE_EQ(live.latest_projection()->energy_j, 20000);
}

TEST(LiveProjectorTest, WarnsOnceWhenTheProjectionsLowerBoundExceedsTheBudget) {
  LiveProjectorOptions options;
  options.total_epochs = 100;
  options.projection.window = 3;
  options.budget = EnergyBudget{50000, "50 kJ"};
  LiveProjector live = projector(options);
  int warnings = 0;
  bool stop = false;
  for (int e = 1; e <= 5; ++e) {
    auto update = live.epoch_finished(epoch(10, 1000));
    warnings += static_cast<int>(update.warnings.size());
    stop = stop || update.stop_reason.has_value();
  }
  EXPECT_EQ(warnings, 1);  // 100 epochs x 1 kJ = 100 kJ > 50 kJ, from epoch 3
  EXPECT_TRUE(stop);
  EXPECT_FALSE(live.energy_so_far(10000).warnings.size());  // already said
}

TEST(LiveProjectorTest, ABudgetTripsAtTheEndOfTheEpochWhereTheLowerBoundPassesItLongBeforeItIsSpent) {
  LiveProjectorOptions options;
  options.total_epochs = 20;
  options.projection.window = 3;
  // Measured so far: 500 J of start-up and 3 x 1 kJ; remaining 17 x 1 kJ: the lower bound is
  // 20.5 kJ from epoch 3 on, the projection 20.6 kJ with the teardown allowance (20% of the
  // start-up).
  options.budget = EnergyBudget{20000, "20 kJ"};
  LiveProjector live = projector(options);
  std::vector<bool> stops;
  for (int e = 1; e <= 5; ++e) {
    EpochRecord r = epoch(10, 1000);
    if (e == 1) r.energy_before_j = 500;
    const auto update = live.epoch_finished(r);
    stops.push_back(update.stop_reason.has_value());
    if (e == 3) {
      ASSERT_TRUE(update.projection.has_value());
      EXPECT_DOUBLE_EQ(update.projection->measured_j, 3500);
      EXPECT_DOUBLE_EQ(update.projection->low_j, 20500);
      EXPECT_DOUBLE_EQ(update.projection->energy_j, 20600);
      ASSERT_TRUE(update.stop_reason.has_value());
      EXPECT_NE(update.stop_reason->find("20 kJ will be exceeded"), std::string::npos) << *update.stop_reason;
    }
  }
  EXPECT_EQ(stops, (std::vector<bool>{false, false, true, true, true}));

  // A budget above the lower bound does not trip, however high the upper bound.
  options.budget = EnergyBudget{21000, "21 kJ"};
  LiveProjector roomy = projector(options);
  for (int e = 1; e <= 5; ++e) {
    EpochRecord r = epoch(10, 1000);
    if (e == 1) r.energy_before_j = 500;
    const auto update = roomy.epoch_finished(r);
    EXPECT_FALSE(update.stop_reason.has_value()) << "epoch " << e;
    if (update.projection) {
      EXPECT_GT(update.projection->high_j, 21000);
    }
  }
}

TEST(LiveProjectorTest, AChangeInTheParameterCountsRestartsTheWindowAndSaysSo) {
  LiveProjectorOptions options;
  options.total_epochs = 30;
  options.projection.window = 3;
  LiveProjector live = projector(options);
  std::optional<LiveUpdate> last;
  for (int e = 1; e <= 8; ++e) {
    // Frozen backbone for 5 epochs of 1 kJ, then fine-tuned at 2.5 kJ.
    EpochRecord r = epoch(10, e <= 5 ? 1000 : 2500);
    r.total_params = 23.5e6;
    r.trainable_params = e <= 5 ? 2.1e6 : 23.5e6;
    last = live.epoch_finished(r);
    // The detectors would still project from the frozen level here; the signal restarts the window.
    if (e == 6) {
      EXPECT_FALSE(last->projection.has_value());
    }
  }
  ASSERT_TRUE(last->projection.has_value());
  EXPECT_EQ(last->stabilization->epoch, 6);
  EXPECT_EQ(last->projection->window_first, 6);
  EXPECT_DOUBLE_EQ(last->projection->energy_j, 5000 + 3 * 2500 + 22 * 2500);
  // The whole model trains now: no further switch to allow for.
  EXPECT_TRUE(last->projection->wide_because.empty());
  bool said = false;
  for (const auto& note : last->notes) said = said || note.find("phase switch at epoch 6: trainable parameters 2.1M -> 23.5M") != std::string::npos;
  EXPECT_TRUE(said);
}

TEST(LiveProjectorTest, TheEnergySoFarAloneCanSpendTheBudget) {
  LiveProjectorOptions options;
  options.budget = EnergyBudget{5000, "5 kJ"};
  LiveProjector live = projector(options);
  EXPECT_FALSE(live.energy_so_far(4000).stop_reason.has_value());
  auto spent = live.energy_so_far(6000);
  ASSERT_TRUE(spent.stop_reason.has_value());
  EXPECT_NE(spent.stop_reason->find("5 kJ spent"), std::string::npos);
}

TEST(EarlyStoppingTest, StopsWhenTheMetricPlateaus) {
  EpochTrace seen;
  const double f1[] = {0.50, 0.70, 0.80, 0.85, 0.87, 0.875, 0.876, 0.876, 0.877, 0.877};
  GainPerEnergyRule rule{"val_f1", true, 0.001, 5};
  std::vector<bool> stops;
  for (double value : f1) {
    EpochRecord r = epoch(10, 2000, {{"val_f1", value}});
    r.epoch = static_cast<int>(seen.epochs.size()) + 1;
    seen.epochs.push_back(r);
    auto gain = assess_gain_per_energy(seen, std::nullopt, rule);
    stops.push_back(gain && gain->stop);
    if (seen.epochs.size() < 5) {
      EXPECT_FALSE(gain.has_value());
    }
  }
  // Slope over the last 5 epochs, per 2 kJ epoch: 0.0029 per kJ at epoch 8, 0.00075 at epoch 9.
  EXPECT_EQ(stops, (std::vector<bool>{false, false, false, false, false, false, false, false, true, true}));
}

TEST(EarlyStoppingTest, ALossThatStopsFallingStopsTooAndTheFirstMetricIsTheDefault) {
  EpochTrace seen;
  for (int e = 1; e <= 5; ++e) {
    EpochRecord r = epoch(10, 1000, {{"loss", 1.0 / e}});
    r.epoch = e;
    seen.epochs.push_back(r);
  }
  auto falling = assess_gain_per_energy(seen, std::nullopt, GainPerEnergyRule{"", false, 0.01, 5});
  ASSERT_TRUE(falling.has_value());
  EXPECT_EQ(falling->metric, "loss");
  EXPECT_GT(falling->gain_per_kj, 0.01);
  EXPECT_FALSE(falling->stop);
  auto as_if_higher_were_better = assess_gain_per_energy(seen, std::nullopt, GainPerEnergyRule{"", true, 0.01, 5});
  EXPECT_TRUE(as_if_higher_were_better->stop);
}

}  // namespace
}  // namespace wattcast
