#include "monitor/run_summary.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "store/sqlite_store.h"

namespace wattcast {
namespace {

namespace fs = std::filesystem;

// A run with a GPU reporting an energy counter, a modelled CPU reporting power only, and epochs.
TEST(RunSummaryTest, EnergyPerDeviceKindAndEpoch) {
  const std::string path = (fs::temp_directory_path() / ("wattcast_summary_" + std::to_string(::getpid()) + ".db")).string();
  fs::remove(path);
  auto store = std::move(open_sqlite_store(path)).value();
  RunRecord run;
  run.start_s = 100;
  run.configuration_json = R"json({"location": "ESP (Spain)", "g_co2e_per_kwh": 200, "pue": 1.5})json";
  const int64_t run_id = *store->begin_run(run);
  const int64_t gpu = *store->add_device(run_id, "nvml", DeviceInfo{"gpu", "A100", "GPU-1", 0, Provenance::kMeasured, ""});
  const int64_t cpu = *store->add_device(run_id, "cpu-model", DeviceInfo{"cpu", "pkg", "cpu0", 0, Provenance::kModelled, ""});
  std::vector<SampleRecord> samples;
  for (int tick = 0; tick <= 10; ++tick) {
    Reading g;
    g.power_w = 300;
    g.energy_j = 250.0 * tick;  // the counter disagrees with power on purpose: the counter wins
    samples.push_back({gpu, tick, 100.0 + tick, g});
    Reading c;
    c.power_w = 50;
    samples.push_back({cpu, tick, 100.0 + tick, c});
  }
  ASSERT_TRUE(store->append_samples(samples).ok());
  ASSERT_TRUE(store->append_markers({{run_id, 102, "epoch_begin", 1, "", {}, "python"},
                                     {run_id, 106, "epoch_end", 1, "", {{"val_f1", 0.8}}, "python"},
                                     {run_id, 106, "epoch_begin", 2, "", {}, "python"}})
                  .ok());
  ASSERT_TRUE(store->finish_run(run_id, 110, 0, "exited").ok());

  auto summary = summarize_run(*store, run_id);
  ASSERT_TRUE(summary.ok()) << summary.error().message;
  EXPECT_DOUBLE_EQ(summary->duration_s, 10);
  EXPECT_DOUBLE_EQ(summary->energy_by_kind_j.at("gpu"), 2500);
  EXPECT_DOUBLE_EQ(summary->energy_by_kind_j.at("cpu"), 500);
  EXPECT_TRUE(summary->modelled_by_kind.at("cpu"));
  EXPECT_FALSE(summary->modelled_by_kind.at("gpu"));
  EXPECT_TRUE(summary->devices[0].from_counter);
  EXPECT_DOUBLE_EQ(summary->energy_j, 3000);
  EXPECT_NEAR(summary->co2e_g, 3000 * 1.5 / 3.6e6 * 200, 1e-12);
  ASSERT_EQ(summary->epochs.size(), 2u);
  EXPECT_DOUBLE_EQ(summary->epochs[0].end_s - summary->epochs[0].start_s, 4);
  EXPECT_DOUBLE_EQ(summary->epochs[0].energy_j, 4 * 300);  // 250 J/s counter + 50 W
  EXPECT_DOUBLE_EQ(summary->epochs[0].metrics.at("val_f1"), 0.8);
  EXPECT_DOUBLE_EQ(summary->epochs[1].end_s, 110);  // the last epoch ends with the run
  fs::remove(path);
}

// Samples the store never took (a full disk): the record of them gives the monitor's totals,
// which every reader takes instead of the partial stored samples, and says which span is missing.
TEST(RunSummaryTest, SamplesTheStoreNeverTookLeaveTheTotalsToTheMonitor) {
  auto store = std::move(open_sqlite_store(":memory:")).value();
  RunRecord run;
  run.start_s = 100;
  const int64_t run_id = *store->begin_run(run);
  const int64_t gpu = *store->add_device(run_id, "nvml", DeviceInfo{"gpu", "A100", "GPU-1", 0, Provenance::kMeasured, ""});
  const int64_t cpu = *store->add_device(run_id, "cpu-model", DeviceInfo{"cpu", "pkg", "cpu0", 0, Provenance::kModelled, ""});
  std::vector<SampleRecord> samples;
  for (int tick = 0; tick <= 4; ++tick) {  // ticks 5-20 (to 110 s) never stored
    Reading g;
    g.power_w = 300;
    samples.push_back({gpu, tick, 100.0 + 0.5 * tick, g});
    Reading c;
    c.power_w = 50;
    samples.push_back({cpu, tick, 100.0 + 0.5 * tick, c});
  }
  ASSERT_TRUE(store->append_samples(samples).ok());
  ASSERT_TRUE(store->finish_run(run_id, 110, 0, "exited").ok());
  auto stored_only = summarize_run(*store, run_id);
  ASSERT_TRUE(stored_only.ok());
  EXPECT_FALSE(stored_only->unstored.has_value());  // a store from before: as it was
  EXPECT_DOUBLE_EQ(stored_only->energy_j, 2 * 350);

  UnstoredSamplesRecord record;
  record.span = UnstoredSamples{32, 5, 20, 102.5, 110, "runs.db: database or disk is full"};
  record.energy_j = 3500;
  record.device_energy_j = {{gpu, 3000}, {cpu, 500}};
  ASSERT_TRUE(store->append_markers({unstored_samples_marker(run_id, record)}).ok());
  auto summary = summarize_run(*store, run_id);
  ASSERT_TRUE(summary.ok());
  ASSERT_TRUE(summary->unstored.has_value());
  EXPECT_EQ(summary->unstored->span.samples, 32);
  EXPECT_EQ(summary->unstored->span.first_tick, 5);
  EXPECT_EQ(summary->unstored->span.last_tick, 20);
  EXPECT_EQ(summary->unstored->span.reason, "runs.db: database or disk is full");
  EXPECT_EQ(summary->energy_j, 3500);
  EXPECT_EQ(summary->energy_by_kind_j.at("gpu"), 3000);
  EXPECT_EQ(summary->energy_by_kind_j.at("cpu"), 500);
  EXPECT_EQ(summary->devices[0].energy_j, 3000);
  EXPECT_EQ(summary->devices[0].samples, 5u);  // what the store holds
  EXPECT_DOUBLE_EQ(summary->mean_power_w, 350);
  EXPECT_EQ(unstored_samples_text(summary->unstored->span, run.start_s),
            "samples from 2.5 to 10 s were not stored (runs.db: database or disk is full); totals are the monitor's own integration");
}

}  // namespace
}  // namespace wattcast
