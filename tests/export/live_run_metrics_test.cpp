// `measure --prometheus`'s view of its run: device totals from the sampler, epochs from markers.

#include "export/live_run_metrics.h"

#include <gtest/gtest.h>

namespace wattcast {
namespace {

TEST(LiveRunMetricsTest, EpochsAreTheRunsEnergyBetweenTheirMarkers) {
  RunRecord run;
  run.id = 4;
  run.start_s = 100;
  run.host = "n1";
  run.tags = {{"ranks", "0-7"}};
  const std::vector<DeviceRecord> devices = {{21, 4, "nvml", {"gpu", "A100", "GPU-x", 0, Provenance::kMeasured, ""}},
                                             {22, 4, "nvml", {"gpu", "A100", "GPU-y", 1, Provenance::kMeasured, ""}},
                                             {23, 4, "process", {"process", "tree", "pid-9", 0, Provenance::kMeasured, ""}}};
  LiveRunMetrics live(run, devices);
  live.note_markers({{4, 101, "epoch_begin", 1, "", {}, "python"}}, 50);
  live.note_markers({{4, 105, "epoch_end", 1, "", {}, "python"}, {4, 105, "epoch_begin", 2, "", {}, "python"}}, 850);
  LiveTotals totals;
  totals.samples_stored = 99;
  const MetricsSnapshot snapshot =
      live.snapshot({{21, 600, 150, true}, {22, 400, std::nan(""), true}, {23, 0, std::nan(""), false}}, totals, 107.5, true);
  ASSERT_EQ(snapshot.runs.size(), 1u);
  const RunMetrics& m = snapshot.runs[0];
  EXPECT_EQ(m.run_id, 4);
  EXPECT_DOUBLE_EQ(m.elapsed_s, 7.5);
  EXPECT_EQ(m.energy_j, 1000);
  EXPECT_EQ(m.power_w, 150);  // the device without a power figure adds nothing
  EXPECT_EQ(m.samples_written, 99);
  EXPECT_EQ(m.epoch, 2);
  EXPECT_EQ(m.epochs_done, 1);
  ASSERT_EQ(m.epochs.size(), 2u);
  EXPECT_EQ(m.epochs[0].energy_j, 800);  // 850 - 50, closed
  EXPECT_EQ(m.epochs[1].energy_j, 150);  // 1000 now - 850 at its start, still growing
  EXPECT_FALSE(m.devices[2].has_energy);
  EXPECT_TRUE(m.running);
}

TEST(LiveRunMetricsTest, AMarkerFloodHoldsOnlyTheRecentEpochs) {
  RunRecord run;
  run.id = 1;
  LiveRunMetrics live(run, {{5, 1, "nvml", {"gpu", "A100", "GPU-x", 0, Provenance::kMeasured, ""}}});
  constexpr int kFlood = 50000;
  size_t most_held = 0;
  for (int e = 1; e <= kFlood; ++e) {
    live.note_markers({{1, 1.0 * e, "epoch_begin", e, "", {}, "python"}, {1, e + 0.5, "epoch_end", e, "", {}, "python"}}, 2.0 * e);
    most_held = std::max(most_held, live.snapshot({}, LiveTotals{}, e, true).runs[0].epochs.size());
  }
  EXPECT_LT(most_held, 2 * kEpochSeriesShown);
  const RunMetrics m = live.snapshot({}, LiveTotals{}, kFlood, true).runs[0];
  EXPECT_EQ(m.epochs_done, kFlood);
  EXPECT_EQ(m.epoch, kFlood);
  ASSERT_GE(m.epochs.size(), kEpochSeriesShown);
  EXPECT_EQ(m.epochs.back().epoch, kFlood);
}

TEST(LiveRunMetricsTest, DevicesTheSamplerHasNotReadYetHaveNoEnergySeries) {
  RunRecord run;
  run.id = 1;
  LiveRunMetrics live(run, {{5, 1, "nvml", {"gpu", "A100", "GPU-x", 0, Provenance::kMeasured, ""}}});
  const MetricsSnapshot snapshot = live.snapshot({}, LiveTotals{}, 1, true);
  EXPECT_FALSE(snapshot.runs[0].devices[0].has_energy);
  EXPECT_TRUE(snapshot.runs[0].epochs.empty());
}

}  // namespace
}  // namespace wattcast
