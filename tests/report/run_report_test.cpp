// A run read back from a store for the report: its power thinned per device, its epochs, the
// stabilizing epoch and the projections; and what is left out (with a note) when data is missing.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "cli/cli_runner.h"
#include "report/report_page.h"
#include "report/run_report.h"
#include "store/sqlite_store.h"

namespace wattcast::testing {
namespace {

constexpr double kStartS = 1.7e9;

struct StoredRun {
  int samples = 20000;  // every 10 ms
  int epochs = 20;
  bool finished = true;
  bool markers = true;
};

std::unique_ptr<RunStore> store_with(const std::string& name, const StoredRun& spec, int64_t* run_id) {
  const std::string path = (scratch_dir() / name).string();
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  auto store = std::move(open_sqlite_store(path)).value();
  RunRecord run;
  run.command = "python train.py";
  run.start_s = kStartS;
  *run_id = store->begin_run(run).value();
  DeviceInfo gpu;
  gpu.kind = "gpu";
  gpu.name = "Test GPU";
  const int64_t device = store->add_device(*run_id, "replay", gpu).value();
  std::vector<SampleRecord> samples;
  for (int i = 0; i < spec.samples; ++i) {
    SampleRecord s;
    s.device_id = device;
    s.tick = i;
    s.t_s = kStartS + 0.01 * i;
    s.reading.power_w = i == 12345 ? 999 : 200 + (i % 13);  // one spike
    samples.push_back(s);
  }
  EXPECT_TRUE(store->append_samples(samples).ok());
  const double end_s = kStartS + 0.01 * (spec.samples - 1);
  if (spec.markers) {
    std::vector<MarkerRecord> markers;
    const double epoch_s = (end_s - kStartS) / spec.epochs;
    for (int e = 1; e <= spec.epochs; ++e) {
      markers.push_back({*run_id, kStartS + (e - 1) * epoch_s, "epoch_begin", e, "", {}, "api"});
      markers.push_back({*run_id, kStartS + e * epoch_s, "epoch_end", e, "", {{"val_acc", 0.5 + 0.02 * e}}, "api"});
    }
    EXPECT_TRUE(store->append_markers(markers).ok());
  }
  if (spec.finished) {
    EXPECT_TRUE(store->finish_run(*run_id, end_s, 0, "exited").ok());
  }
  return store;
}

bool mentions(const std::vector<std::string>& notes, const std::string& text) {
  return std::any_of(notes.begin(), notes.end(), [&](const std::string& n) { return n.find(text) != std::string::npos; });
}

TEST(RunReportTest, AFinishedRunWithEpochsHasEveryChartsData) {
  int64_t id = 0;
  auto store = store_with("finished.db", {}, &id);
  RunReportOptions options;
  options.display_buckets = 100;
  const RunReport r = build_run_report(*store, id, options).value();
  ASSERT_EQ(r.power.size(), 1u);
  EXPECT_EQ(r.power[0].device, "gpu0 Test GPU");
  EXPECT_EQ(r.power[0].recorded_samples, 20000u);
  EXPECT_LE(r.power[0].power_w.size(), 200u);
  const auto peak = std::max_element(r.power[0].power_w.begin(), r.power[0].power_w.end(),
                                     [](const TimedValue& a, const TimedValue& b) { return a.value < b.value; });
  EXPECT_EQ(peak->value, 999);
  EXPECT_NEAR(peak->t_s, 123.45, 1e-6);  // from the run's start
  EXPECT_TRUE(mentions(r.notes, "20000 samples shown as"));

  ASSERT_EQ(r.epochs.size(), 20u);
  EXPECT_NEAR(r.epochs[0].start_s, 0, 1e-6);
  EXPECT_NEAR(r.epochs[1].start_s, 199.99 / 20, 1e-6);
  EXPECT_DOUBLE_EQ(r.epochs.back().metrics.at("val_acc"), 0.9);
  ASSERT_TRUE(r.stabilizing_epoch.has_value());
  EXPECT_FALSE(r.stabilization_note.empty());
  ASSERT_EQ(r.projections.size(), 2u);  // epoch-energy and power
  EXPECT_EQ(r.projections[0].estimator, "epoch-energy");
  ASSERT_TRUE(r.actual_j.has_value());
  EXPECT_NEAR(*r.actual_j, r.energy_j, 1e-9);
  EXPECT_NEAR(r.projections[0].projected_j, r.energy_j, 0.05 * r.energy_j);  // level epochs: close to the truth
}

TEST(RunReportTest, MissingEpochsOrAnUnfinishedRunLeaveChartsOutWithANote) {
  int64_t id = 0;
  auto bare = store_with("bare.db", {2000, 5, true, false}, &id);
  const RunReport no_epochs = build_run_report(*bare, id).value();
  EXPECT_TRUE(no_epochs.epochs.empty());
  EXPECT_TRUE(no_epochs.projections.empty());
  EXPECT_TRUE(mentions(no_epochs.notes, "no epoch markers"));
  EXPECT_EQ(no_epochs.power[0].power_w.size(), 2000u);  // short enough to keep whole

  auto going = store_with("going.db", {2000, 10, false, true}, &id);
  const RunReport running = build_run_report(*going, id).value();
  EXPECT_EQ(running.epochs.size(), 10u);
  EXPECT_TRUE(running.projections.empty());
  EXPECT_FALSE(running.actual_j.has_value());
  EXPECT_TRUE(mentions(running.notes, "has not finished"));

  EXPECT_FALSE(build_run_report(*going, id + 1).ok());
}

TEST(RunReportTest, ACollectedStoreOfOneRunHasNoComparison) {
  int64_t id = 0;
  auto store = store_with("one.db", {}, &id);
  ReportOptions options;
  options.comparison.by_tag = "optimizer";
  const ReportContent content = collect_report(*store, "one.db", options).value();
  ASSERT_EQ(content.runs.size(), 1u);
  EXPECT_FALSE(content.comparison.groups.has_value());
  EXPECT_TRUE(mentions(content.comparison.notes, "one run"));
  options.run_id = id + 5;
  const auto missing = collect_report(*store, "one.db", options);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("no run"), std::string::npos) << missing.error().message;
}

}  // namespace
}  // namespace wattcast::testing
