#include "store/sqlite_store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace wattcast {
namespace {

namespace fs = std::filesystem;

class SqliteStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("wattcast_store_" + std::to_string(::getpid()) + "_" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string path(const std::string& name = "runs.db") const { return (dir_ / name).string(); }
  fs::path dir_;
};

TEST_F(SqliteStoreTest, RoundTripsARun) {
  auto store = open_sqlite_store(path());
  ASSERT_TRUE(store.ok()) << store.error().message;
  RunRecord run;
  run.command = "python train.py";
  run.start_s = 1000;
  run.host = "node1";
  run.tags = {{"model", "resnet50"}};
  const int64_t run_id = *(*store)->begin_run(run);
  DeviceInfo gpu{"gpu", "A100", "GPU-1", 0, Provenance::kMeasured, ""};
  DeviceInfo cpu{"cpu", "package-0", "cpu0", 0, Provenance::kModelled, "TDP x utilization"};
  const int64_t gpu_id = *(*store)->add_device(run_id, "nvml", gpu);
  const int64_t cpu_id = *(*store)->add_device(run_id, "cpu-model", cpu);
  std::vector<SampleRecord> samples;
  for (int tick = 0; tick < 3; ++tick) {
    Reading r;
    r.power_w = 100 + tick;
    r.energy_j = 10.0 * tick;
    r.utilization_pct = 50;
    samples.push_back({gpu_id, tick, 1000.0 + tick, r});
    Reading c;
    c.power_w = 20;
    samples.push_back({cpu_id, tick, 1000.0 + tick, c});
  }
  ASSERT_TRUE((*store)->append_samples(samples).ok());
  MarkerRecord marker{run_id, 1000.5, "epoch_end", 1, "", {{"val_f1", 0.9}}, "python"};
  ASSERT_TRUE((*store)->append_markers({marker}).ok());
  ASSERT_TRUE((*store)->finish_run(run_id, 1003, 0, "exited").ok());

  auto reopened = open_sqlite_store(path());
  ASSERT_TRUE(reopened.ok());
  const RunRecord got = *(*reopened)->run(run_id);
  EXPECT_EQ(got.command, "python train.py");
  EXPECT_EQ(got.tags.at("model"), "resnet50");
  EXPECT_EQ(*got.exit_code, 0);
  EXPECT_DOUBLE_EQ(*got.end_s, 1003);
  const auto devices = *(*reopened)->devices(run_id);
  ASSERT_EQ(devices.size(), 2u);
  EXPECT_EQ(devices[1].info.provenance, Provenance::kModelled);
  const auto stored = *(*reopened)->samples(run_id);
  ASSERT_EQ(stored.size(), 6u);
  EXPECT_DOUBLE_EQ(*stored[4].reading.energy_j, 20.0);
  EXPECT_FALSE(stored[1].reading.energy_j.has_value());
  const auto markers = *(*reopened)->markers(run_id);
  ASSERT_EQ(markers.size(), 1u);
  EXPECT_DOUBLE_EQ(markers[0].metrics.at("val_f1"), 0.9);
}

TEST_F(SqliteStoreTest, DuplicateTickIsRejectedWholeBatch) {
  auto store = std::move(open_sqlite_store(path())).value();
  const int64_t run_id = *store->begin_run(RunRecord{});
  const int64_t device = *store->add_device(run_id, "replay", DeviceInfo{});
  Reading r;
  r.power_w = 1;
  ASSERT_TRUE(store->append_samples({{device, 0, 1, r}}).ok());
  EXPECT_FALSE(store->append_samples({{device, 1, 2, r}, {device, 0, 1, r}}).ok());
  EXPECT_EQ(store->samples(run_id)->size(), 1u);  // the failed batch left nothing behind
}

TEST_F(SqliteStoreTest, SamplesAfterATickReturnOnlyTheNewerOnes) {
  auto store = std::move(open_sqlite_store(path())).value();
  const int64_t run_id = *store->begin_run(RunRecord{});
  const int64_t other_run = *store->begin_run(RunRecord{});
  const int64_t gpu = *store->add_device(run_id, "replay", DeviceInfo{});
  const int64_t cpu = *store->add_device(run_id, "replay", DeviceInfo{});
  const int64_t elsewhere = *store->add_device(other_run, "replay", DeviceInfo{});
  Reading r;
  r.power_w = 1;
  std::vector<SampleRecord> samples;
  for (int64_t tick = 0; tick < 4; ++tick) {
    samples.push_back({gpu, tick, 1.0 + tick, r});
    samples.push_back({cpu, tick, 1.0 + tick, r});
    samples.push_back({elsewhere, tick, 1.0 + tick, r});
  }
  ASSERT_TRUE(store->append_samples(samples).ok());
  const auto newer = *store->samples_after(run_id, 1);
  ASSERT_EQ(newer.size(), 4u);
  EXPECT_EQ(newer[0].tick, 2);
  EXPECT_EQ(newer[0].device_id, gpu);
  EXPECT_EQ(newer[1].device_id, cpu);
  EXPECT_EQ(newer[3].tick, 3);
  EXPECT_TRUE(store->samples_after(run_id, 3)->empty());
  EXPECT_EQ(store->samples_after(run_id, -1)->size(), 8u);
}

TEST_F(SqliteStoreTest, NewerSchemaIsRefused) {
  {
    auto store = open_sqlite_store(path());
    ASSERT_TRUE(store.ok());
  }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path().c_str(), &db), SQLITE_OK);
  sqlite3_exec(db, "PRAGMA user_version = 99", nullptr, nullptr, nullptr);
  sqlite3_close(db);
  auto store = open_sqlite_store(path());
  ASSERT_FALSE(store.ok());
  EXPECT_NE(store.error().message.find("newer wattcast"), std::string::npos) << store.error().message;
}

TEST_F(SqliteStoreTest, NotADatabaseAndUnwritablePathAreErrors) {
  std::ofstream(path("junk.db")) << "this is not sqlite, not at all, really";
  EXPECT_FALSE(open_sqlite_store(path("junk.db")).ok());
  auto missing_dir = open_sqlite_store((dir_ / "no" / "such" / "dir" / "runs.db").string());
  ASSERT_FALSE(missing_dir.ok());
  EXPECT_NE(missing_dir.error().message.find("runs.db"), std::string::npos);
}

TEST_F(SqliteStoreTest, UnknownRunIsAnError) {
  auto store = std::move(open_sqlite_store(path())).value();
  EXPECT_FALSE(store->run(42).ok());
}

// A node monitor records the ranks that attach while its run goes on.
TEST_F(SqliteStoreTest, ReplaceTagsWhileTheRunGoesOn) {
  auto store = std::move(open_sqlite_store(path())).value();
  RunRecord run;
  run.command = "train";
  run.host = "node-a";
  run.tags = {{"job", "slurm:1.0"}, {"ranks", "0"}};
  const int64_t id = *store->begin_run(run);
  const int64_t other = *store->begin_run(run);
  ASSERT_TRUE(store->replace_tags(id, {{"job", "slurm:1.0"}, {"ranks", "0,1"}}).ok());
  EXPECT_EQ(store->run(id)->tags.at("ranks"), "0,1");
  EXPECT_EQ(store->run(other)->tags.at("ranks"), "0");
}

}  // namespace
}  // namespace wattcast
