// The behaviour every run store back end owes its callers, checked on each: an SQLite file and a
// PostgreSQL database on a real server.

#include "store/run_store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <pqxx/pqxx>
#include <thread>

#include "store/open_store.h"
#include "support/postgres_database.h"

namespace wattcast {
namespace {

namespace fs = std::filesystem;
using testing::PostgresServer;

enum class Backend { kSqlite, kPostgres };

class RunStoreTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    if (GetParam() == Backend::kSqlite) {
      dir_ = fs::temp_directory_path() / ("wattcast_store_" + std::to_string(::getpid()) + "_" +
                                          ::testing::UnitTest::GetInstance()->current_test_info()->name());
      fs::remove_all(dir_);
      fs::create_directories(dir_);
      location_ = (dir_ / "runs.db").string();
    } else {
      PostgresServer* server = testing::require_postgres_server();
      ASSERT_NE(server, nullptr);
      const std::string database = testing::fresh_postgres_database(*server);
      ASSERT_FALSE(database.empty());
      location_ = server->socket_url(database);
    }
  }
  void TearDown() override {
    if (!dir_.empty()) fs::remove_all(dir_);
  }

  std::unique_ptr<RunStore> open() {
    auto store = open_store(location_);
    EXPECT_TRUE(store.ok()) << store.error().message;
    return store ? std::move(store).value() : nullptr;
  }

  // As a newer wattcast would leave the store.
  void set_schema_version(int version) {
    if (GetParam() == Backend::kSqlite) {
      sqlite3* db = nullptr;
      ASSERT_EQ(sqlite3_open(location_.c_str(), &db), SQLITE_OK);
      sqlite3_exec(db, ("PRAGMA user_version = " + std::to_string(version)).c_str(), nullptr, nullptr, nullptr);
      sqlite3_close(db);
    } else {
      pqxx::connection connection(location_);
      pqxx::work tx(connection);
      tx.exec_params0("UPDATE wattcast_schema SET version = $1", version);
      tx.commit();
    }
  }

  fs::path dir_;
  std::string location_;
};

TEST_P(RunStoreTest, KeepsTheMonitorsLastHeartbeat) {
  auto store = open();
  ASSERT_NE(store, nullptr);
  RunRecord run;
  run.start_s = 1000;
  run.host = "node1";
  const int64_t id = *store->begin_run(run);
  EXPECT_FALSE(store->run(id)->heartbeat_s.has_value());
  ASSERT_TRUE(store->record_heartbeat(id, 1001.5).ok());
  ASSERT_TRUE(store->record_heartbeat(id, 1002.25).ok());
  EXPECT_EQ(store->run(id)->heartbeat_s, 1002.25);
  EXPECT_EQ(store->runs()->at(0).heartbeat_s, 1002.25);
}

TEST_P(RunStoreTest, RoundTripsARun) {
  auto store = open();
  ASSERT_NE(store, nullptr);
  RunRecord run;
  run.command = "python train.py --lr 'a b'";
  run.start_s = 1000;
  run.host = "node1";
  run.tags = {{"model", "resnet50"}, {"quote", "it's \"fine\"\t\\"}};
  run.configuration_json = R"({"interval_ms":100})";
  const int64_t run_id = *store->begin_run(run);
  DeviceInfo gpu{"gpu", "A100", "GPU-1", 0, Provenance::kMeasured, ""};
  DeviceInfo cpu{"cpu", "package-0", "cpu0", 0, Provenance::kModelled, "TDP x utilization"};
  const int64_t gpu_id = *store->add_device(run_id, "nvml", gpu);
  const int64_t cpu_id = *store->add_device(run_id, "cpu-model", cpu);
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
  ASSERT_TRUE(store->append_samples(samples).ok());
  MarkerRecord marker{run_id, 1000.5, "epoch_end", 1, "", {{"val_f1", 0.9}}, "python"};
  ASSERT_TRUE(store->append_markers({marker}).ok());
  ASSERT_TRUE(store->finish_run(run_id, 1003, 0, "exited").ok());

  auto reopened = open();
  ASSERT_NE(reopened, nullptr);
  const RunRecord got = *reopened->run(run_id);
  EXPECT_EQ(got.command, run.command);
  EXPECT_EQ(got.host, "node1");
  EXPECT_EQ(got.tags, run.tags);
  EXPECT_EQ(got.configuration_json, run.configuration_json);
  EXPECT_EQ(*got.exit_code, 0);
  EXPECT_EQ(got.end_reason, "exited");
  EXPECT_DOUBLE_EQ(*got.end_s, 1003);
  const auto devices = *reopened->devices(run_id);
  ASSERT_EQ(devices.size(), 2u);
  EXPECT_EQ(devices[0].info.uuid, "GPU-1");
  EXPECT_EQ(devices[1].info.provenance, Provenance::kModelled);
  EXPECT_EQ(devices[1].info.note, "TDP x utilization");
  const auto stored = *reopened->samples(run_id);
  ASSERT_EQ(stored.size(), 6u);
  EXPECT_DOUBLE_EQ(*stored[4].reading.energy_j, 20.0);
  EXPECT_FALSE(stored[1].reading.energy_j.has_value());
  const auto markers = *reopened->markers(run_id);
  ASSERT_EQ(markers.size(), 1u);
  EXPECT_EQ(markers[0].type, "epoch_end");
  EXPECT_DOUBLE_EQ(markers[0].metrics.at("val_f1"), 0.9);
  ASSERT_EQ(reopened->runs()->size(), 1u);
}

TEST_P(RunStoreTest, KeepsEveryDigitAndEveryMissingFigure) {
  auto store = open();
  ASSERT_NE(store, nullptr);
  const int64_t run_id = *store->begin_run(RunRecord{});
  const int64_t device = *store->add_device(run_id, "replay", DeviceInfo{});
  Reading full;
  full.power_w = 123.456789012345678;
  full.energy_j = 1e-300;
  full.utilization_pct = 99.5;
  full.memory_used_bytes = 81920.0 * 1024 * 1024;
  full.temperature_c = -3.25;
  full.sm_clock_mhz = 1410;
  full.power_limit_w = 400;
  full.cpu_time_s = 0.1;
  full.rss_bytes = 1.5e9;
  Reading empty;  // power unknown (NaN), nothing else
  Reading infinite;
  infinite.power_w = 5;
  infinite.energy_j = std::numeric_limits<double>::infinity();
  const double t_s = 1732212345.123456789;
  ASSERT_TRUE(store->append_samples({{device, 0, t_s, full}, {device, 1, t_s + 0.1, empty}, {device, 2, t_s + 0.2, infinite}}).ok());
  const auto stored = *store->samples(run_id);
  ASSERT_EQ(stored.size(), 3u);
  EXPECT_EQ(stored[0].t_s, t_s);
  EXPECT_EQ(stored[0].reading.power_w, full.power_w);
  EXPECT_EQ(stored[0].reading.energy_j, full.energy_j);
  EXPECT_EQ(stored[0].reading.utilization_pct, full.utilization_pct);
  EXPECT_EQ(stored[0].reading.memory_used_bytes, full.memory_used_bytes);
  EXPECT_EQ(stored[0].reading.temperature_c, full.temperature_c);
  EXPECT_EQ(stored[0].reading.sm_clock_mhz, full.sm_clock_mhz);
  EXPECT_EQ(stored[0].reading.power_limit_w, full.power_limit_w);
  EXPECT_EQ(stored[0].reading.cpu_time_s, full.cpu_time_s);
  EXPECT_EQ(stored[0].reading.rss_bytes, full.rss_bytes);
  EXPECT_TRUE(std::isnan(stored[1].reading.power_w));
  EXPECT_FALSE(stored[1].reading.energy_j || stored[1].reading.utilization_pct || stored[1].reading.memory_used_bytes ||
               stored[1].reading.temperature_c || stored[1].reading.sm_clock_mhz || stored[1].reading.power_limit_w ||
               stored[1].reading.cpu_time_s || stored[1].reading.rss_bytes);
  EXPECT_FALSE(stored[2].reading.energy_j.has_value());  // not a number a reader could use
}

TEST_P(RunStoreTest, DuplicateTickIsRejectedWholeBatch) {
  auto store = open();
  ASSERT_NE(store, nullptr);
  const int64_t run_id = *store->begin_run(RunRecord{});
  const int64_t device = *store->add_device(run_id, "replay", DeviceInfo{});
  Reading r;
  r.power_w = 1;
  ASSERT_TRUE(store->append_samples({{device, 0, 1, r}}).ok());
  const Status duplicate = store->append_samples({{device, 1, 2, r}, {device, 0, 1, r}});
  EXPECT_FALSE(duplicate.ok());
  EXPECT_EQ(store->samples(run_id)->size(), 1u);  // the failed batch left nothing behind
  // And the store takes the next batch as usual.
  EXPECT_TRUE(store->append_samples({{device, 1, 2, r}}).ok());
  EXPECT_EQ(store->samples(run_id)->size(), 2u);
}

TEST_P(RunStoreTest, SamplesOfAnUnknownDeviceAreRefused) {
  auto store = open();
  ASSERT_NE(store, nullptr);
  const int64_t run_id = *store->begin_run(RunRecord{});
  Reading r;
  r.power_w = 1;
  EXPECT_FALSE(store->append_samples({{4242, 0, 1, r}}).ok());
  EXPECT_TRUE(store->samples(run_id)->empty());
}

TEST_P(RunStoreTest, SamplesAfterATickReturnOnlyTheNewerOnes) {
  auto store = open();
  ASSERT_NE(store, nullptr);
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

// More rows than one PostgreSQL cursor chunk, so the chunks must join without a seam.
TEST_P(RunStoreTest, ForEachSampleVisitsWhatSamplesReturnsInOrderAndStopsWhenAsked) {
  auto store = open();
  ASSERT_NE(store, nullptr);
  const int64_t run_id = *store->begin_run(RunRecord{});
  const int64_t other_run = *store->begin_run(RunRecord{});
  const int64_t gpu = *store->add_device(run_id, "replay", DeviceInfo{});
  const int64_t cpu = *store->add_device(run_id, "replay", DeviceInfo{});
  const int64_t elsewhere = *store->add_device(other_run, "replay", DeviceInfo{});
  std::vector<SampleRecord> samples;
  for (int64_t tick = 0; tick < 6000; ++tick) {
    Reading r;
    r.power_w = 1.0 + tick % 7;
    if (tick % 3 == 0) r.energy_j = 0.5 * tick;
    samples.push_back({cpu, tick, 1.0 + tick, r});
    samples.push_back({gpu, tick, 1.0 + tick, r});
    samples.push_back({elsewhere, tick, 1.0 + tick, r});
  }
  ASSERT_TRUE(store->append_samples(samples).ok());
  const auto all = *store->samples(run_id);
  std::vector<SampleRecord> visited;
  ASSERT_TRUE(store->for_each_sample(run_id, [&](const SampleRecord& s) {
                     visited.push_back(s);
                     return true;
                   })
                  .ok());
  ASSERT_EQ(visited.size(), 12000u);
  ASSERT_EQ(visited.size(), all.size());
  for (size_t i = 0; i < all.size(); ++i) {
    ASSERT_EQ(visited[i].device_id, all[i].device_id) << i;
    ASSERT_EQ(visited[i].tick, all[i].tick) << i;
    ASSERT_EQ(visited[i].t_s, all[i].t_s) << i;
    ASSERT_EQ(visited[i].reading.power_w, all[i].reading.power_w) << i;
    ASSERT_EQ(visited[i].reading.energy_j, all[i].reading.energy_j) << i;
  }
  size_t seen = 0;
  ASSERT_TRUE(store->for_each_sample(run_id, [&](const SampleRecord&) { return ++seen < 5; }).ok());
  EXPECT_EQ(seen, 5u);
}

TEST_P(RunStoreTest, NewerSchemaIsRefused) {
  ASSERT_NE(open(), nullptr);
  set_schema_version(99);
  auto store = open_store(location_);
  ASSERT_FALSE(store.ok());
  EXPECT_NE(store.error().message.find("newer wattcast"), std::string::npos) << store.error().message;
}

// A node monitor records the ranks that attach while its run goes on.
TEST_P(RunStoreTest, ReplaceTagsWhileTheRunGoesOn) {
  auto store = open();
  ASSERT_NE(store, nullptr);
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

TEST_P(RunStoreTest, UnknownRunIsAnError) {
  auto store = open();
  ASSERT_NE(store, nullptr);
  EXPECT_FALSE(store->run(42).ok());
  EXPECT_TRUE(store->devices(42)->empty());
}

// Monitors on many nodes, each with its own connection, write into one store at once.
TEST_P(RunStoreTest, ConcurrentWritersEachKeepEverySample) {
  ASSERT_NE(open(), nullptr);  // the schema exists before the writers race
  constexpr int kWriters = 6, kBatches = 20, kTicksPerBatch = 5, kDevices = 2;
  std::vector<int64_t> run_ids(kWriters);
  std::vector<std::string> errors(kWriters);
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      auto opened = open_store(location_);
      if (!opened) {
        errors[w] = opened.error().message;
        return;
      }
      RunStore& store = **opened;
      RunRecord run;
      run.command = "writer " + std::to_string(w);
      run_ids[w] = *store.begin_run(run);
      std::vector<int64_t> devices;
      for (int d = 0; d < kDevices; ++d) devices.push_back(*store.add_device(run_ids[w], "replay", DeviceInfo{}));
      Reading r;
      r.power_w = w;
      for (int b = 0; b < kBatches; ++b) {
        std::vector<SampleRecord> batch;
        for (int t = 0; t < kTicksPerBatch; ++t) {
          for (int64_t device : devices) batch.push_back({device, b * kTicksPerBatch + t, 1.0 * t, r});
        }
        if (auto written = store.append_samples(batch); !written) {
          errors[w] = written.error().message;
          return;
        }
      }
    });
  }
  for (auto& t : writers) t.join();
  for (const auto& e : errors) EXPECT_EQ(e, "");
  auto store = open();
  ASSERT_NE(store, nullptr);
  ASSERT_EQ(store->runs()->size(), static_cast<size_t>(kWriters));
  for (int w = 0; w < kWriters; ++w) {
    const auto samples = *store->samples(run_ids[w]);
    ASSERT_EQ(samples.size(), static_cast<size_t>(kBatches * kTicksPerBatch * kDevices));
    for (size_t i = 0; i < samples.size(); ++i) {
      EXPECT_EQ(samples[i].tick, static_cast<int64_t>(i / kDevices));
      EXPECT_EQ(samples[i].reading.power_w, w);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, RunStoreTest, ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         [](const ::testing::TestParamInfo<Backend>& info) { return info.param == Backend::kSqlite ? "sqlite" : "postgresql"; });

}  // namespace
}  // namespace wattcast
