#include "project/stored_run.h"

#include <gtest/gtest.h>

#include <cmath>

#include "fakes/temp_tree.h"
#include "store/sqlite_store.h"

namespace wattcast {
namespace {

// A finished run of 20 s: one GPU at 100 W sampled every 0.1 s, except in a gap from 8 s to 12 s
// and for NaN samples from 3 s to 3.5 s; optionally with 4 epochs of 5 s.
std::unique_ptr<RunStore> store_with_run(const testing::TempTree& tree, bool with_markers) {
  auto store = std::move(open_sqlite_store(tree.path("runs.db"))).value();
  RunRecord run;
  run.command = "train";
  run.start_s = 1000;
  run.host = "test";
  const int64_t id = store->begin_run(run).value();
  DeviceInfo gpu;
  gpu.kind = "gpu";
  gpu.name = "fake";
  const int64_t device = store->add_device(id, "nvml", gpu).value();
  std::vector<SampleRecord> samples;
  for (int tick = 0; tick <= 200; ++tick) {
    const double t = tick * 0.1;
    if (t > 8.05 && t < 11.95) continue;
    Reading r;
    r.power_w = (t >= 3 && t <= 3.5) ? std::nan("") : 100;
    samples.push_back({device, tick, 1000 + t, r});
  }
  EXPECT_TRUE(store->append_samples(samples).ok());
  if (with_markers) {
    std::vector<MarkerRecord> markers;
    for (int e = 1; e <= 4; ++e) {
      markers.push_back({id, 1000 + 5.0 * (e - 1), "epoch_begin", e, "", {}, "python"});
      markers.push_back({id, 1000 + 5.0 * e, "epoch_end", e, "", {{"val_f1", 0.5}}, "python"});
    }
    EXPECT_TRUE(store->append_markers(markers).ok());
  }
  EXPECT_TRUE(store->finish_run(id, 1020, 0, "exited").ok());
  return store;
}

TEST(StoredRunTest, EpochsPowerAndTheActualTotal) {
  testing::TempTree tree;
  auto store = store_with_run(tree, true);
  auto trace = read_stored_run(*store, 1);
  ASSERT_TRUE(trace.ok()) << trace.error().message;
  ASSERT_EQ(trace->epochs.size(), 4u);
  EXPECT_DOUBLE_EQ(trace->epochs[1].start_s, 5);
  EXPECT_NEAR(trace->epochs[0].energy_j, 500, 1e-6);  // NaN samples leave the counter's integral to interpolate
  EXPECT_EQ(trace->epochs[3].metrics.at("val_f1"), 0.5);
  ASSERT_TRUE(trace->actual_total_j.has_value());
  EXPECT_NEAR(*trace->actual_total_j, 2000, 1e-6);
  // The gap is NaN in the power trace, and said.
  const auto& power = trace->power.power_w;
  ASSERT_FALSE(power.empty());
  EXPECT_TRUE(std::isnan(power[static_cast<size_t>(10.0 / trace->power.bin_s)]));
  EXPECT_NEAR(power[static_cast<size_t>(15.0 / trace->power.bin_s)], 100, 1e-6);
  ASSERT_FALSE(trace->notes.empty());
  EXPECT_NE(trace->notes.back().find("gaps"), std::string::npos) << trace->notes.back();
}

TEST(StoredRunTest, WithoutMarkersTheRunIsSlicedByTime) {
  testing::TempTree tree;
  auto store = store_with_run(tree, false);
  StoredRunOptions options;
  options.slice_s = 4;
  auto trace = read_stored_run(*store, 1, options);
  ASSERT_TRUE(trace.ok()) << trace.error().message;
  ASSERT_EQ(trace->epochs.size(), 5u);
  EXPECT_NEAR(trace->epochs[0].energy_j, 400, 1e-6);
  EXPECT_NE(trace->notes.front().find("no epoch markers: projecting by time"), std::string::npos);
  options.slice_s = 15;
  auto too_short = read_stored_run(*store, 1, options);
  ASSERT_FALSE(too_short.ok());
  EXPECT_NE(too_short.error().message.find("no epoch markers"), std::string::npos);
}

}  // namespace
}  // namespace wattcast
