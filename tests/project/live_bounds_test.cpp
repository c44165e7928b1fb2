// The live projector holds a bounded window of epochs (issue 15, item 9): a run of ordinary length
// is projected exactly as from all its epochs, a long one gives the same projections from the
// folded sums, and a marker flood does not grow what it holds.

#include <gtest/gtest.h>

#include <cmath>

#include "project/earliest_projection.h"
#include "project/live_projector.h"
#include "project/synthetic_run.h"

namespace wattcast {
namespace {

// A realistic run as `measure` sees it: per-epoch figures (no power trace), a validation metric,
// checkpoints, a warm-up and a phase switch the training code reports.
EpochTrace realistic_run(int epochs) {
  SyntheticRunOptions o;
  o.epochs = epochs;
  o.epoch_s = 30;
  o.phase_switch_epoch = 6;
  o.reports_parameters = true;
  o.frozen_trainable_share = 0.1;
  o.checkpoint_every = 5;
  o.startup_epochs = 1;
  o.drift = 0.05;
  o.seed = 7;
  EpochTrace trace = generate_synthetic_run(o).trace;
  trace.power = {};
  for (auto& e : trace.epochs) e.metrics["val_acc"] = 1 - 1.0 / (e.epoch + 1) + 0.002 * std::sin(e.epoch);
  return trace;
}

LiveProjectorOptions options_for(int total_epochs) {
  LiveProjectorOptions o;
  o.total_epochs = total_epochs;
  o.budget = EnergyBudget{1e12, "1 TJ"};
  o.early_stopping = GainPerEnergyRule{"", true, 1e-12};
  return o;
}

void expect_same_projection(const Projection& held, const Projection& all, int k) {
  EXPECT_EQ(held.method, all.method) << "epoch " << k;
  EXPECT_EQ(held.energy_j, all.energy_j) << "epoch " << k;
  EXPECT_EQ(held.low_j, all.low_j) << "epoch " << k;
  EXPECT_EQ(held.high_j, all.high_j) << "epoch " << k;
  EXPECT_EQ(held.duration_s, all.duration_s) << "epoch " << k;
  EXPECT_EQ(held.measured_j, all.measured_j) << "epoch " << k;
  EXPECT_EQ(held.teardown_j, all.teardown_j) << "epoch " << k;
  EXPECT_EQ(held.window_first, all.window_first) << "epoch " << k;
  EXPECT_EQ(held.epochs_seen, all.epochs_seen) << "epoch " << k;
}

TEST(LiveBoundsTest, AnOrdinaryRunIsProjectedExactlyAsFromAllItsEpochs) {
  const EpochTrace run = realistic_run(300);
  const LiveProjectorOptions options = options_for(300);
  LiveProjector live = std::move(LiveProjector::create(options)).value();
  int projected = 0;
  for (int k = 1; k <= 300; ++k) {
    const LiveUpdate update = live.epoch_finished(run.epochs[static_cast<size_t>(k - 1)]);
    // What the projector computed before it held a bounded window: the projection from every epoch seen.
    auto all = project_after(run.first_epochs(static_cast<size_t>(k)), options.detector, 300, options.projection);
    ASSERT_EQ(update.projection.has_value(), all.ok()) << "epoch " << k;
    if (!all) continue;
    ++projected;
    expect_same_projection(*update.projection, all->projections.projections.front(), k);
    EXPECT_EQ(update.stabilization->epoch, all->stabilization.epoch) << "epoch " << k;
    EXPECT_EQ(update.stabilization->confidence, all->stabilization.confidence) << "epoch " << k;
    EXPECT_EQ(update.notes, all->notes) << "epoch " << k;
  }
  EXPECT_GT(projected, 250);
  EXPECT_EQ(live.seen().folded.count, 0);  // nothing folded: 300 epochs are held whole
}

TEST(LiveBoundsTest, FoldedEpochsChangeNoProjectionBudgetOrEarlyStoppingFigure) {
  const EpochTrace run = realistic_run(400);
  LiveProjectorOptions options = options_for(400);
  LiveProjector all = std::move(LiveProjector::create(options)).value();
  options.epochs_held = 16;  // folds a block every 16 epochs from epoch 32
  LiveProjector held = std::move(LiveProjector::create(options)).value();
  int compared = 0;
  for (int k = 1; k <= 400; ++k) {
    const EpochRecord& epoch = run.epochs[static_cast<size_t>(k - 1)];
    const LiveUpdate from_all = all.epoch_finished(epoch);
    const LiveUpdate from_held = held.epoch_finished(epoch);
    ASSERT_EQ(from_held.projection.has_value(), from_all.projection.has_value()) << "epoch " << k;
    EXPECT_LT(held.seen().epochs.size(), 32u);
    EXPECT_EQ(held.seen().epochs_seen(), k);
    EXPECT_EQ(held.seen().measured_j(), all.seen().measured_j()) << "epoch " << k;
    ASSERT_EQ(from_held.gain.has_value(), from_all.gain.has_value()) << "epoch " << k;
    if (from_all.gain) {
      EXPECT_EQ(from_held.gain->metric, from_all.gain->metric);
      EXPECT_EQ(from_held.gain->gain_per_kj, from_all.gain->gain_per_kj) << "epoch " << k;
    }
    if (!from_all.projection) continue;
    ++compared;
    expect_same_projection(*from_held.projection, *from_all.projection, k);
    // The phase switch (epoch 6) is folded long before the end and still said.
    EXPECT_EQ(from_held.notes, from_all.notes) << "epoch " << k;
    // The stable stretch cannot be seen further back than the epochs held.
    EXPECT_GE(from_held.stabilization->epoch, from_all.stabilization->epoch) << "epoch " << k;
  }
  EXPECT_GT(compared, 350);
  EXPECT_EQ(held.seen().folded.count + static_cast<int>(held.seen().epochs.size()), 400);
  EXPECT_EQ(held.seen().folded.phase_switch_epoch, 6);
}

TEST(LiveBoundsTest, AMarkerFloodOf50000EpochsHoldsABoundedWindow) {
  constexpr int kFlood = 50000;
  LiveProjector live = std::move(LiveProjector::create(options_for(kFlood))).value();
  size_t most_held = 0;
  double measured_j = 0;
  std::optional<LiveUpdate> last;
  for (int k = 1; k <= kFlood; ++k) {
    EpochRecord epoch;
    epoch.start_s = 0.002 * (k - 1);
    epoch.end_s = epoch.start_s + 0.001;
    epoch.energy_j = 0.3 + 0.01 * (k % 7);
    epoch.energy_before_j = k == 1 ? 5 : 0.1;
    measured_j += epoch.energy_before_j + epoch.energy_j;
    last = live.epoch_finished(epoch);
    most_held = std::max(most_held, live.seen().epochs.size());
  }
  EXPECT_LT(most_held, 2u * kLiveEpochsHeld);
  EXPECT_GE(live.seen().epochs.size(), static_cast<size_t>(kLiveEpochsHeld));
  EXPECT_EQ(live.seen().epochs_seen(), kFlood);
  // Every epoch is still in the totals, summed in the same order.
  EXPECT_EQ(live.seen().measured_j(), measured_j);
  ASSERT_TRUE(last->projection.has_value());
  EXPECT_EQ(last->projection->epochs_seen, kFlood);
  EXPECT_EQ(last->projection->measured_j, measured_j);
  EXPECT_DOUBLE_EQ(last->projection->teardown_j, 0.2 * 5);  // from the start-up, folded long ago
}

}  // namespace
}  // namespace wattcast
