#include "monitor/run_summary.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "monitor/energy_series.h"
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

// The summary walks the samples instead of holding them: its figures must be the bits the whole
// series gives (energy_series, EnergySeries::at), on a run with a GPU whose counter is read only
// now and then, a power-only CPU, a process device, epochs, and ticks missing from the store.
TEST(RunSummaryTest, StreamedSummaryHasTheWholeSeriesFigures) {
  auto store = std::move(open_sqlite_store(":memory:")).value();
  RunRecord run;
  run.start_s = 1.7e9;
  run.configuration_json = R"json({"g_co2e_per_kwh": 300, "pue": 1.2})json";
  const int64_t run_id = *store->begin_run(run);
  const int64_t gpu = *store->add_device(run_id, "nvml", DeviceInfo{"gpu", "H200", "GPU-1", 0, Provenance::kMeasured, ""});
  const int64_t cpu = *store->add_device(run_id, "cpu-model", DeviceInfo{"cpu", "pkg", "cpu0", 0, Provenance::kModelled, ""});
  const int64_t process = *store->add_device(run_id, "process", DeviceInfo{"process", "train.py", "", 0, Provenance::kMeasured, ""});
  std::vector<SampleRecord> samples;
  double counter_j = 4.56789e6;
  for (int tick = 0; tick < 3000; ++tick) {
    if (tick >= 1200 && tick < 1500) continue;  // a gap: the store never got these
    const double t = run.start_s + 0.1 * tick + 0.001 * (tick % 3);
    Reading g;
    g.power_w = 350 + 120 * std::sin(0.01 * tick);
    counter_j += g.power_w * 0.1 * 0.97;
    if (tick % 300 == 0 || tick == 1500) g.energy_j = counter_j;
    samples.push_back({gpu, tick, t, g});
    Reading c;
    c.power_w = tick % 41 == 0 ? std::nan("") : 61.3 + tick % 7;
    samples.push_back({cpu, tick, t + 0.0004, c});
    Reading p;
    p.rss_bytes = 1e9 + 1e5 * (tick % 500);
    p.cpu_time_s = 0.37 * tick;
    samples.push_back({process, tick, t, p});
  }
  ASSERT_TRUE(store->append_samples(samples).ok());
  std::vector<MarkerRecord> markers;
  for (int epoch = 1; epoch <= 7; ++epoch) {
    markers.push_back({run_id, run.start_s + 3.0 + 39.1 * (epoch - 1), "epoch_begin", epoch, "", {}, "python"});
    if (epoch < 7) markers.push_back({run_id, run.start_s + 3.0 + 39.1 * epoch - 0.5, "epoch_end", epoch, "", {{"loss", 1.0 / epoch}}, "python"});
  }
  ASSERT_TRUE(store->append_markers(markers).ok());
  ASSERT_TRUE(store->finish_run(run_id, run.start_s + 301, 0, "exited").ok());

  auto streamed = summarize_run(*store, run_id);
  ASSERT_TRUE(streamed.ok()) << streamed.error().message;
  ASSERT_EQ(streamed->devices.size(), 3u);
  ASSERT_EQ(streamed->epochs.size(), 7u);
  EXPECT_EQ(streamed->epochs.back().end_s, run.start_s + 301);  // the last epoch ends with the run

  // The whole series, as the summary had it before it streamed.
  std::vector<EnergySeries> series;
  double total_j = 0;
  for (const auto& d : streamed->devices) {
    std::vector<const SampleRecord*> own;
    for (const auto& s : samples) {
      if (s.device_id == d.device.id) own.push_back(&s);
    }
    bool from_counter = false;
    series.push_back(energy_series(own, &from_counter));
    const EnergySeries& e = series.back();
    EXPECT_EQ(d.samples, own.size());
    EXPECT_EQ(d.from_counter, from_counter);
    const double energy_j = e.t_s.empty() ? 0 : e.energy_j.back() - e.energy_j.front();
    EXPECT_EQ(d.energy_j, energy_j) << d.device.info.kind;
    if (!e.t_s.empty()) EXPECT_EQ(d.mean_power_w, energy_j / (e.t_s.back() - e.t_s.front())) << d.device.info.kind;
    total_j += energy_j;
  }
  EXPECT_TRUE(streamed->devices[0].from_counter);
  EXPECT_FALSE(streamed->devices[1].from_counter);
  EXPECT_EQ(streamed->devices[2].peak_rss_bytes, 1e9 + 1e5 * 499);
  EXPECT_EQ(streamed->devices[2].cpu_time_s, 0.37 * 2999);
  EXPECT_EQ(streamed->energy_j, total_j);
  for (const auto& epoch : streamed->epochs) {
    double energy_j = 0;
    for (const auto& e : series) energy_j += e.at(epoch.end_s) - e.at(epoch.start_s);
    EXPECT_EQ(epoch.energy_j, energy_j) << "epoch " << epoch.epoch;
    EXPECT_GT(epoch.energy_j, 0);
  }

  // And the summary of the run loaded whole agrees, field by field.
  const RunSummary whole = summarize_run(*load_run(*store, run_id));
  EXPECT_EQ(whole.energy_j, streamed->energy_j);
  EXPECT_EQ(whole.co2e_g, streamed->co2e_g);
  EXPECT_EQ(whole.energy_by_kind_j, streamed->energy_by_kind_j);
  for (size_t i = 0; i < whole.epochs.size(); ++i) EXPECT_EQ(whole.epochs[i].energy_j, streamed->epochs[i].energy_j);
}

// A run whose monitor died has no end: it ends with its last sample, for the epochs too.
TEST(RunSummaryTest, RunWithoutAnEndEndsWithItsLastSample) {
  auto store = std::move(open_sqlite_store(":memory:")).value();
  RunRecord run;
  run.start_s = 100;
  const int64_t run_id = *store->begin_run(run);
  const int64_t cpu = *store->add_device(run_id, "cpu-model", DeviceInfo{"cpu", "pkg", "cpu0", 0, Provenance::kModelled, ""});
  std::vector<SampleRecord> samples;
  for (int tick = 0; tick <= 10; ++tick) {
    Reading c;
    c.power_w = 50;
    samples.push_back({cpu, tick, 100.0 + tick, c});
  }
  ASSERT_TRUE(store->append_samples(samples).ok());
  ASSERT_TRUE(store->append_markers({{run_id, 104, "epoch_begin", 1, "", {}, "python"}}).ok());
  auto summary = summarize_run(*store, run_id);
  ASSERT_TRUE(summary.ok());
  EXPECT_EQ(summary->duration_s, 10);
  ASSERT_EQ(summary->epochs.size(), 1u);
  EXPECT_EQ(summary->epochs[0].end_s, 110);
  EXPECT_EQ(summary->epochs[0].energy_j, 300);
}

}  // namespace
}  // namespace wattcast
