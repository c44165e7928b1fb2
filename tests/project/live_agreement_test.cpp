// The live projection (as `measure` makes it) and `project --at-epoch K` on the stored run come
// from one function: fed the same epochs, they give the same figures.

#include <gtest/gtest.h>

#include "fakes/temp_tree.h"
#include "monitor/energy_series.h"
#include "project/earliest_projection.h"
#include "project/epoch_clock.h"
#include "project/live_projector.h"
#include "project/stored_run.h"
#include "store/sqlite_store.h"

namespace wattcast {
namespace {

constexpr double kStart = 1000;
constexpr int kEpochs = 12;

// 10 s of start-up at 60 W, then 12 epochs of 5 s (200-230 W, varying) with 0.3 s gaps at 60 W
// and 2 s of teardown; the backbone unfreezes at epoch 4 (the parameter counts change).
double power_at(double t) {
  const double since = t - kStart - 10;
  if (since < 0) return 60;
  const int epoch = static_cast<int>(since / 5.3) + 1;
  if (epoch > kEpochs || since - (epoch - 1) * 5.3 >= 5) return 60;
  return (epoch < 4 ? 120 : 200) + 10 * (epoch % 4);
}

double epoch_start(int e) { return kStart + 10 + (e - 1) * 5.3; }

TEST(LiveAgreementTest, TheLiveProjectionIsWhatProjectAtEpochShowsForTheStoredRun) {
  testing::TempTree tree;
  auto store = std::move(open_sqlite_store(tree.path("runs.db"))).value();
  RunRecord run;
  run.command = "train";
  run.start_s = kStart;
  run.host = "test";
  const int64_t id = store->begin_run(run).value();
  DeviceInfo gpu;
  gpu.kind = "gpu";
  gpu.name = "fake";
  const int64_t device = store->add_device(id, "nvml", gpu).value();
  std::vector<SampleRecord> samples;
  const double end_s = epoch_start(kEpochs) + 5 + 2;
  for (int tick = 0; kStart + tick * 0.1 <= end_s + 1e-9; ++tick) {
    Reading r;
    r.power_w = power_at(kStart + tick * 0.1);
    samples.push_back({device, tick, kStart + tick * 0.1, r});
  }
  ASSERT_TRUE(store->append_samples(samples).ok());
  std::vector<MarkerRecord> markers;
  for (int e = 1; e <= kEpochs; ++e) {
    markers.push_back({id, epoch_start(e), "epoch_begin", e, "", {{"trainable_params", e < 4 ? 2.1e6 : 23.5e6}, {"total_params", 23.5e6}}, "python"});
    markers.push_back({id, epoch_start(e) + 5, "epoch_end", e, "", {}, "python"});
  }
  ASSERT_TRUE(store->append_markers(markers).ok());
  ASSERT_TRUE(store->finish_run(id, end_s, 0, "exited").ok());

  // Live: the monitor's running total at each marker, through the same clock `measure` uses.
  std::vector<const SampleRecord*> pointers;
  for (const auto& s : samples) pointers.push_back(&s);
  bool from_counter = false;
  const EnergySeries series = energy_series(pointers, &from_counter);
  LiveProjectorOptions options;
  options.total_epochs = kEpochs;
  options.projection.window = 3;
  LiveProjector live = std::move(LiveProjector::create(options)).value();
  EpochClock clock(kStart);
  const EpochTrace stored = std::move(read_stored_run(*store, id)).value();
  // 10 s at 60 W, and the trapezoid's share of the step to the first epoch's power.
  EXPECT_NEAR(stored.epochs.front().energy_before_j, 600, 5);
  int compared = 0;
  for (int e = 1; e <= kEpochs; ++e) {
    clock.begin(e, epoch_start(e), series.at(epoch_start(e)), e < 4 ? 2.1e6 : 23.5e6, 23.5e6);
    const LiveUpdate update = live.epoch_finished(*clock.end(e, epoch_start(e) + 5, series.at(epoch_start(e) + 5), {}));
    auto at_epoch = first_projection(stored, {e}, "online", kEpochs, options.projection);
    ASSERT_EQ(update.projection.has_value(), at_epoch.ok()) << "epoch " << e;
    if (!update.projection) continue;
    ++compared;
    const Projection& p = at_epoch->projections.projections.front();
    EXPECT_NEAR(update.projection->energy_j, p.energy_j, 1e-6) << "epoch " << e;
    EXPECT_NEAR(update.projection->low_j, p.low_j, 1e-6) << "epoch " << e;
    EXPECT_NEAR(update.projection->high_j, p.high_j, 1e-6) << "epoch " << e;
    EXPECT_EQ(update.projection->window_first, p.window_first);
    // The parameter counts reached both: from the switch on, the window starts there or later.
    if (e >= 4) {
      EXPECT_GE(p.window_first, 4) << "epoch " << e;
    }
  }
  EXPECT_GE(compared, 5);
}

}  // namespace
}  // namespace wattcast
