// Against a real Prometheus server (Debian's /usr/bin/prometheus): what it scrapes from the
// exporter and from `measure --prometheus` is the energy the store records.

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "export/processes.h"
#include "monitor/energy_series.h"
#include "monitor/run_summary.h"
#include "store/sqlite_store.h"

namespace wattcast::testing {
namespace {

using std::chrono::seconds;

void require_prometheus() {
  ASSERT_TRUE(std::filesystem::exists(kPrometheusBinary))
      << kPrometheusBinary << " is missing: install Debian's prometheus package (bash scripts/install-deps.sh)";
}

double value_of(const nlohmann::json& entry) { return std::stod(entry["value"][1].get<std::string>()); }

// A finished run written straight to a store: one GPU with an energy counter, one with power only,
// two epochs, a job tag that needs escaping.
int64_t write_finished_run(RunStore& store) {
  RunRecord run;
  run.start_s = 1'700'000'000;
  run.host = "node-e2e";
  run.tags = {{"job", "bert \"large\"\\v2"}, {"rank", "1"}};
  const int64_t id = *store.begin_run(run);
  const int64_t a = *store.add_device(id, "nvml", DeviceInfo{"gpu", "H100", "GPU-a", 0, Provenance::kMeasured, ""});
  const int64_t b = *store.add_device(id, "nvml", DeviceInfo{"gpu", "H100", "GPU-b", 1, Provenance::kMeasured, ""});
  std::vector<SampleRecord> samples;
  for (int64_t tick = 0; tick < 600; ++tick) {
    const double t_s = run.start_s + 0.1 * static_cast<double>(tick);
    Reading ra;
    ra.power_w = 300 + static_cast<double>(tick % 11);
    ra.energy_j = 12.5 + 30.25 * static_cast<double>(tick);
    samples.push_back({a, tick, t_s, ra});
    Reading rb;
    rb.power_w = 150 + 3 * static_cast<double>(tick % 5);
    samples.push_back({b, tick, t_s + 0.003, rb});
  }
  EXPECT_TRUE(store.append_samples(samples).ok());
  EXPECT_TRUE(store.append_markers({{id, run.start_s + 5.05, "epoch_begin", 1, "", {}, "python"},
                                    {id, run.start_s + 31.17, "epoch_end", 1, "", {}, "python"},
                                    {id, run.start_s + 31.17, "epoch_begin", 2, "", {}, "python"},
                                    {id, run.start_s + 55.9, "epoch_end", 2, "", {}, "python"}})
                  .ok());
  EXPECT_TRUE(store.finish_run(id, run.start_s + 60, 0, "exited").ok());
  return id;
}

// The exporter serves a finished run's final figures, so what Prometheus stores must equal the
// summary to the last bits a float64 carries through text (relative 1e-12).
TEST(PrometheusEndToEndTest, ExporterFiguresReachPrometheusAsTheSummaryHasThem) {
  require_prometheus();
  TempDir dir;
  const std::string db = dir / "runs.db";
  RunSummary summary;
  {
    auto store = std::move(open_sqlite_store(db)).value();
    const int64_t id = write_finished_run(*store);
    summary = *summarize_run(*store, id);
  }
  Child exporter({WATTCAST_BIN, "exporter", "--store", db, "--listen", "127.0.0.1:0", "--runs", "all"}, dir / "exporter.log");
  int port = 0;
  ASSERT_TRUE(eventually([&] { return (port = announced_port(exporter)) > 0 && serves_metrics(port); }, seconds(20))) << exporter.log();
  PrometheusServer prometheus("127.0.0.1:" + std::to_string(port));
  ASSERT_TRUE(prometheus.start(seconds(30))) << prometheus.log();

  nlohmann::json devices;
  ASSERT_TRUE(eventually(
      [&] {
        devices = prometheus.query("wattcast_energy_joules_total");
        return devices.is_array() && devices.size() == 2;
      },
      seconds(30)))
      << prometheus.log();
  for (const auto& series : devices) {
    const auto& labels = series["metric"];
    EXPECT_EQ(labels["job"], "wattcast");  // Prometheus's own, not overwritten by ours
    EXPECT_EQ(labels["training_job"], "bert \"large\"\\v2");
    EXPECT_EQ(labels["rank"], "1");
    EXPECT_EQ(labels["host"], "node-e2e");
    EXPECT_EQ(labels["run"], std::to_string(summary.run.id));
    EXPECT_EQ(labels["kind"], "gpu");
    const std::string uuid = labels["uuid"];
    const auto& device = summary.devices[uuid == "GPU-a" ? 0 : 1];
    ASSERT_EQ(device.device.info.uuid, uuid);
    EXPECT_EQ(labels["index"], std::to_string(device.device.info.index));
    EXPECT_NEAR(value_of(series), device.energy_j, 1e-12 * device.energy_j) << uuid;
  }
  auto run_energy = prometheus.query("wattcast_run_energy_joules_total");
  ASSERT_TRUE(run_energy.is_array() && run_energy.size() == 1) << run_energy;
  EXPECT_NEAR(value_of(run_energy[0]), summary.energy_j, 1e-12 * summary.energy_j);
  auto epochs = prometheus.query("wattcast_epoch_energy_joules_total");
  ASSERT_TRUE(epochs.is_array() && epochs.size() == summary.epochs.size()) << epochs;
  for (const auto& series : epochs) {
    const int epoch = std::stoi(series["metric"]["epoch"].get<std::string>());
    ASSERT_TRUE(epoch == 1 || epoch == 2) << series;
    EXPECT_NEAR(value_of(series), summary.epochs[epoch - 1].energy_j, 1e-9 * summary.energy_j) << "epoch " << epoch;
  }
  auto elapsed = prometheus.query("wattcast_run_elapsed_seconds");
  ASSERT_TRUE(elapsed.is_array() && elapsed.size() == 1);
  EXPECT_DOUBLE_EQ(value_of(elapsed[0]), summary.duration_s);

  exporter.signal(SIGTERM);
  EXPECT_EQ(exporter.wait(seconds(10)), 0) << exporter.log();
}

// `measure --prometheus` while the command runs. Each point Prometheus stored at time T must lie
// between the store's energy at T - 1.5 s and at T + 0.5 s: the snapshot is published at every
// supervisor tick (at most 1 s apart) from samples at most one interval (50 ms) old, and a scrape
// stamped T may read a snapshot published while its request was on its way (well under 0.5 s).
// At the trace's 100 W that allows 150 J behind and 50 J ahead; a counter that lost samples, counted
// twice or reset would be off by far more within the 1 minute window.
TEST(PrometheusEndToEndTest, MeasureServesTheRunningTotalsThatTheStoreKeeps) {
  require_prometheus();
  TempDir dir;
  std::ofstream(dir / "trace.csv") << "t_s,device,power_w\n0,gpu0,100\n0,gpu1,40\n";
  const std::string stop_file = dir / "stop";
  const std::string db = dir / "runs.db";
  Child measure({WATTCAST_BIN, "measure", "--replay", dir / "trace.csv", "--out", db, "--interval-ms", "50", "--tag", "job=live-e2e",
                 "--prometheus", "127.0.0.1:0", "--", "/bin/sh", "-c", "while [ ! -e '" + stop_file + "' ]; do sleep 0.05; done"},
                dir / "measure.log");
  int port = 0;
  ASSERT_TRUE(eventually([&] { return (port = announced_port(measure)) > 0 && serves_metrics(port); }, seconds(20))) << measure.log();
  PrometheusServer prometheus("127.0.0.1:" + std::to_string(port));
  ASSERT_TRUE(prometheus.start(seconds(30))) << prometheus.log();

  const std::string selector = R"(wattcast_energy_joules_total{uuid=~"replay-gpu.",training_job="live-e2e"})";
  ASSERT_TRUE(eventually(
      [&] {
        auto counts = prometheus.query("count_over_time(" + selector + "[1m])");
        if (!counts.is_array() || counts.size() != 2) return false;
        for (const auto& c : counts) {
          if (value_of(c) < 16) return false;  // 8 s of scrapes: the increase() check below needs a span
        }
        return true;
      },
      seconds(40)))
      << prometheus.log();
  const auto scraped = prometheus.query(selector + "[1m]");
  const auto running = prometheus.query("wattcast_run_running");
  std::ofstream(stop_file) << "stop\n";
  ASSERT_EQ(measure.wait(seconds(30)), 0) << measure.log();

  ASSERT_TRUE(running.is_array() && running.size() == 1) << running;
  EXPECT_EQ(value_of(running[0]), 1);
  auto store = std::move(open_sqlite_store(db)).value();
  const auto runs = *store->runs();
  ASSERT_EQ(runs.size(), 1u);
  const StoredRun stored = *load_run(*store, runs[0].id);
  ASSERT_TRUE(scraped.is_array() && scraped.size() == 2) << scraped;
  for (const auto& series : scraped) {
    EXPECT_EQ(series["metric"]["run"], std::to_string(runs[0].id));
    const std::string uuid = series["metric"]["uuid"];
    int64_t device_id = -1;
    for (const auto& d : stored.devices) {
      if (d.info.uuid == uuid) device_id = d.id;
    }
    std::vector<const SampleRecord*> own;
    for (const auto& s : stored.samples) {
      if (s.device_id == device_id) own.push_back(&s);
    }
    bool from_counter = false;
    const EnergySeries energy = energy_series(own, &from_counter);
    ASSERT_FALSE(energy.t_s.empty()) << uuid;
    const auto stored_at = [&](double t) { return energy.at(t) - energy.energy_j.front(); };
    double previous = 0;
    for (const auto& point : series["values"]) {
      const double t = point[0].get<double>();
      const double value = std::stod(point[1].get<std::string>());
      EXPECT_GE(value, previous) << uuid << " at " << t;  // a counter, never reset within the run
      EXPECT_GE(value, stored_at(t - 1.5) - 1e-6) << uuid << " at " << t;
      EXPECT_LE(value, stored_at(t + 0.5) + 1e-6) << uuid << " at " << t;
      previous = value;
    }
    EXPECT_GT(previous, 0) << uuid;

    // increase() over exactly the scraped span (at least 7.5 s), evaluated at the last scrape: no
    // extrapolation at either end, so it is the last value less the first, and each lies in the
    // band above; the store's energy over the same span must match within those two bands (2 s
    // of the 7.5 s or more: a unit, double counting or a lost second shows).
    const auto& points = series["values"];
    ASSERT_GE(points.size(), 16u);
    const std::string first_t = points.front()[0].dump(), last_t = points.back()[0].dump();
    const double first_s = points.front()[0].get<double>(), last_s = points.back()[0].get<double>();
    const long long span_ms = std::llround((last_s - first_s) * 1000);
    const auto increase = prometheus.query("increase(" + std::string(R"(wattcast_energy_joules_total{uuid=")") + uuid +
                                               R"(",training_job="live-e2e"}[)" + std::to_string(span_ms) + "ms])",
                                           last_t);
    ASSERT_TRUE(increase.is_array() && increase.size() == 1) << increase << " at " << last_t << " from " << first_t;
    const double increase_j = value_of(increase[0]);
    const double first_j = std::stod(points.front()[1].get<std::string>()), last_j = std::stod(points.back()[1].get<std::string>());
    EXPECT_NEAR(increase_j, last_j - first_j, 1e-9 * last_j) << uuid;
    EXPECT_GE(increase_j, stored_at(last_s - 1.5) - stored_at(first_s + 0.5) - 1e-6) << uuid;
    EXPECT_LE(increase_j, stored_at(last_s + 0.5) - stored_at(first_s - 1.5) + 1e-6) << uuid;
  }
}

}  // namespace
}  // namespace wattcast::testing
