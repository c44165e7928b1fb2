// The standalone exporter's reading of a store: incremental, and ending where the summary ends.

#include "export/store_follower.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "monitor/run_summary.h"
#include "store/sqlite_store.h"

namespace wattcast {
namespace {

namespace fs = std::filesystem;

class StoreFollowerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = (fs::temp_directory_path() / ("wattcast_follow_" + std::to_string(::getpid()) + ".db")).string();
    fs::remove(path_);
    store_ = std::move(open_sqlite_store(path_)).value();
  }
  void TearDown() override {
    store_.reset();
    for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(path_ + suffix);
  }

  // A GPU with an energy counter, a CPU with power only, a process device with neither.
  int64_t begin_run(double start_s) {
    RunRecord run;
    run.start_s = start_s;
    run.host = "node-7";
    run.tags = {{"job", "j1"}, {"rank", "3"}};
    const int64_t id = *store_->begin_run(run);
    gpu_ = *store_->add_device(id, "nvml", DeviceInfo{"gpu", "A100", "GPU-1", 0, Provenance::kMeasured, ""});
    cpu_ = *store_->add_device(id, "cpu-model", DeviceInfo{"cpu", "pkg", "cpu0", 0, Provenance::kModelled, ""});
    process_ = *store_->add_device(id, "process", DeviceInfo{"process", "tree", "pid", 0, Provenance::kMeasured, ""});
    return id;
  }

  // Ticks [from, to): power changing every tick so interpolation at the markers matters.
  void write_ticks(int64_t from, int64_t to, double start_s) {
    std::vector<SampleRecord> samples;
    for (int64_t tick = from; tick < to; ++tick) {
      const double t_s = start_s + 0.5 + 0.25 * static_cast<double>(tick);
      Reading g;
      g.power_w = 200 + 10 * static_cast<double>(tick % 7);
      g.energy_j = 5000 + 60.0 * static_cast<double>(tick);  // a counter that did not start at 0
      samples.push_back({gpu_, tick, t_s, g});
      Reading c;
      c.power_w = 40 + static_cast<double>(tick % 3);
      samples.push_back({cpu_, tick, t_s + 0.001, c});
      Reading p;
      p.cpu_time_s = 0.1 * static_cast<double>(tick);
      samples.push_back({process_, tick, t_s + 0.002, p});
    }
    ASSERT_TRUE(store_->append_samples(samples).ok());
  }

  std::string path_;
  std::unique_ptr<RunStore> store_;
  int64_t gpu_ = 0, cpu_ = 0, process_ = 0;
};

const DeviceMetrics& device(const RunMetrics& run, const std::string& kind) {
  for (const auto& d : run.devices) {
    if (d.kind == kind) return d;
  }
  throw std::runtime_error("no " + kind);
}

TEST_F(StoreFollowerTest, ALiveRunFollowedInPiecesEndsWhereTheSummaryEnds) {
  const int64_t id = begin_run(1000);
  StoreFollower follower(*store_, FollowOptions{});
  ASSERT_TRUE(follower.poll(1000.1).ok());
  double previous_energy = 0;
  // Markers reach the store before the samples around them, as `measure` writes them.
  const std::vector<std::pair<int64_t, std::vector<MarkerRecord>>> steps = {
      {10, {{id, 1001.1, "epoch_begin", 1, "", {}, "python"}}},
      {25, {{id, 1004.3, "epoch_end", 1, "", {}, "python"}, {id, 1004.3, "epoch_begin", 2, "", {}, "python"}}},
      {40, {{id, 1007.62, "epoch_end", 2, "", {}, "python"}}},
      {55, {}}};
  int64_t written = 0;
  for (const auto& [to, markers] : steps) {
    if (!markers.empty()) {
      ASSERT_TRUE(store_->append_markers(markers).ok());
    }
    write_ticks(written, to, 1000);
    written = to;
    ASSERT_TRUE(follower.poll(1000 + 0.25 * static_cast<double>(to)).ok());
    const auto snapshot = follower.snapshot(1000 + 0.25 * static_cast<double>(to));
    ASSERT_EQ(snapshot.runs.size(), 1u);
    const RunMetrics& run = snapshot.runs[0];
    EXPECT_TRUE(run.running);
    EXPECT_EQ(run.samples_written, 3 * to);
    EXPECT_GT(run.energy_j, previous_energy);
    previous_energy = run.energy_j;
  }
  ASSERT_TRUE(store_->finish_run(id, 1000 + 0.25 * 55 + 0.6, 0, "exited").ok());
  ASSERT_TRUE(follower.poll(1020).ok());

  const RunSummary summary = *summarize_run(*store_, id);
  const auto snapshot = follower.snapshot(1020);
  ASSERT_EQ(snapshot.runs.size(), 1u);  // ended, but kept for the last scrapes
  const RunMetrics& run = snapshot.runs[0];
  EXPECT_FALSE(run.running);
  EXPECT_DOUBLE_EQ(run.elapsed_s, summary.duration_s);
  EXPECT_NEAR(run.energy_j, summary.energy_j, 1e-9 * summary.energy_j);
  EXPECT_NEAR(device(run, "gpu").energy_j, summary.energy_by_kind_j.at("gpu"), 1e-9);
  EXPECT_NEAR(device(run, "cpu").energy_j, summary.energy_by_kind_j.at("cpu"), 1e-9);
  EXPECT_EQ(device(run, "process").energy_j, 0);
  EXPECT_FALSE(device(run, "process").has_energy);
  EXPECT_TRUE(device(run, "cpu").has_energy);
  EXPECT_TRUE(std::isnan(device(run, "process").power_w));
  EXPECT_EQ(device(run, "gpu").power_w, 200 + 10 * (54 % 7));
  ASSERT_EQ(run.epochs.size(), summary.epochs.size());
  for (size_t i = 0; i < run.epochs.size(); ++i) {
    EXPECT_EQ(run.epochs[i].epoch, summary.epochs[i].epoch);
    EXPECT_NEAR(run.epochs[i].energy_j, summary.epochs[i].energy_j, 1e-9 * summary.energy_j) << "epoch " << run.epochs[i].epoch;
  }
  EXPECT_EQ(run.epoch, 2);
  EXPECT_EQ(run.epochs_done, 2);
  EXPECT_EQ(run.tags.at("job"), "j1");

  // Read to its end: nothing changes however often it is polled.
  ASSERT_TRUE(follower.poll(1021).ok());
  EXPECT_EQ(follower.snapshot(1021).runs[0].energy_j, run.energy_j);
  // And it leaves the live view some minutes after its end.
  ASSERT_TRUE(follower.poll(1020 + 301).ok());
  EXPECT_TRUE(follower.snapshot(1321).runs.empty());
}

TEST_F(StoreFollowerTest, LiveSkipsRunsAlreadyEndedAndPicksUpNewOnes) {
  const int64_t old_id = begin_run(500);
  write_ticks(0, 4, 500);
  ASSERT_TRUE(store_->finish_run(old_id, 502, 0, "exited").ok());
  StoreFollower live(*store_, FollowOptions{});
  StoreFollower all(*store_, FollowOptions{RunSelection::kAll, {}, 300, 2});
  ASSERT_TRUE(live.poll(1000).ok());
  ASSERT_TRUE(all.poll(1000).ok());
  EXPECT_TRUE(live.snapshot(1000).runs.empty());
  ASSERT_EQ(all.snapshot(1000).runs.size(), 1u);

  const int64_t new_id = begin_run(1000.5);
  write_ticks(0, 4, 1000.5);
  ASSERT_TRUE(live.poll(1001).ok());  // the run list is read again only every 2 s
  EXPECT_TRUE(live.snapshot(1001).runs.empty());
  ASSERT_TRUE(live.poll(1002.5).ok());
  ASSERT_EQ(live.snapshot(1002.5).runs.size(), 1u);
  EXPECT_EQ(live.snapshot(1002.5).runs[0].run_id, new_id);
  EXPECT_EQ(live.snapshot(1002.5).runs[0].samples_written, 12);
}

// A run whose monitor stopped beating (killed) is not running: its elapsed time stops at the last
// heartbeat, and the live selection lets it go like an ended run.
TEST_F(StoreFollowerTest, ARunWhoseMonitorIsLostIsNotRunning) {
  const int64_t id = begin_run(1000);
  write_ticks(0, 4, 1000);
  ASSERT_TRUE(store_->record_heartbeat(id, 1002).ok());
  StoreFollower live(*store_, FollowOptions{});
  ASSERT_TRUE(live.poll(1010).ok());
  ASSERT_EQ(live.snapshot(1010).runs.size(), 1u);
  EXPECT_TRUE(live.snapshot(1010).runs[0].running);
  EXPECT_FALSE(live.snapshot(1010).runs[0].monitor_lost);
  ASSERT_TRUE(live.poll(1100).ok());
  const RunMetrics later = live.snapshot(1100).runs.at(0);
  EXPECT_FALSE(later.running);
  EXPECT_TRUE(later.monitor_lost);
  EXPECT_DOUBLE_EQ(later.elapsed_s, 2);
  ASSERT_TRUE(live.poll(1002 + 301).ok());
  EXPECT_TRUE(live.snapshot(1002 + 301).runs.empty());
}

TEST_F(StoreFollowerTest, ListedRunsMustExist) {
  const int64_t id = begin_run(10);
  write_ticks(0, 3, 10);
  StoreFollower listed(*store_, FollowOptions{RunSelection::kListed, {id}, 300, 2});
  ASSERT_TRUE(listed.poll(20).ok());
  EXPECT_EQ(listed.snapshot(20).runs.size(), 1u);
  StoreFollower missing(*store_, FollowOptions{RunSelection::kListed, {id + 41}, 300, 2});
  auto polled = missing.poll(20);
  ASSERT_FALSE(polled.ok());
  EXPECT_NE(polled.error().message.find("run " + std::to_string(id + 41)), std::string::npos) << polled.error().message;
}

}  // namespace
}  // namespace wattcast
