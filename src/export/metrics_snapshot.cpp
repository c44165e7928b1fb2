#include "export/metrics_snapshot.h"

#include <algorithm>
#include <utility>

#include "export/prometheus_text.h"

namespace wattcast {

namespace {

std::string_view tag(const RunMetrics& run, const char* name) {
  auto it = run.tags.find(name);
  return it == run.tags.end() ? std::string_view() : std::string_view(it->second);
}

// The labels every series of a run carries. Owns the strings the Labels point into.
struct RunLabels {
  explicit RunLabels(const RunMetrics& run) : id(std::to_string(run.run_id)) {
    const std::string_view rank = tag(run, "rank");
    labels = {{"host", run.host}, {"run", id}, {"training_job", tag(run, "job")}, {"rank", rank.empty() ? tag(run, "ranks") : rank}};
  }
  std::string id;
  Labels labels;
};

Labels with(Labels labels, std::initializer_list<std::pair<std::string_view, std::string_view>> more) {
  labels.insert(labels.end(), more);
  return labels;
}

template <typename Value>
void per_run(ExpositionWriter& out, const MetricsSnapshot& snapshot, std::string_view name, MetricType type, std::string_view help,
             Value value) {
  out.family(name, type, help);
  for (const RunMetrics& run : snapshot.runs) out.sample(RunLabels(run).labels, value(run));
}

}  // namespace

std::string render_metrics(const MetricsSnapshot& snapshot, std::string_view version) {
  ExpositionWriter out;
  out.family("wattcast_up", MetricType::kGauge, "1 while the exporter answers.");
  out.sample({}, 1);
  out.family("wattcast_build_info", MetricType::kGauge, "The wattcast version serving these metrics.");
  out.sample({{"version", version}}, 1);

  out.family("wattcast_energy_joules_total", MetricType::kCounter,
             "Energy drawn by one device since the run's first sample (hardware counter, else integrated power), J.");
  for (const RunMetrics& run : snapshot.runs) {
    const RunLabels labels(run);
    for (const DeviceMetrics& d : run.devices) {
      if (!d.has_energy) continue;
      const std::string index = std::to_string(d.index);
      out.sample(with(labels.labels, {{"kind", d.kind}, {"index", index}, {"uuid", d.uuid}, {"name", d.name}}), d.energy_j);
    }
  }
  out.family("wattcast_power_watts", MetricType::kGauge, "Latest power reading of one device, W.");
  for (const RunMetrics& run : snapshot.runs) {
    const RunLabels labels(run);
    for (const DeviceMetrics& d : run.devices) {
      if (std::isnan(d.power_w)) continue;
      const std::string index = std::to_string(d.index);
      out.sample(with(labels.labels, {{"kind", d.kind}, {"index", index}, {"uuid", d.uuid}, {"name", d.name}}), d.power_w);
    }
  }

  per_run(out, snapshot, "wattcast_run_energy_joules_total", MetricType::kCounter, "Energy drawn by all the run's devices, J.",
          [](const RunMetrics& r) { return r.energy_j; });
  per_run(out, snapshot, "wattcast_run_power_watts", MetricType::kGauge, "Latest power of all the run's devices, W.",
          [](const RunMetrics& r) { return r.power_w; });
  per_run(out, snapshot, "wattcast_run_elapsed_seconds", MetricType::kGauge, "Time since the run started (to its end once it ended), s.",
          [](const RunMetrics& r) { return r.elapsed_s; });
  per_run(out, snapshot, "wattcast_run_running", MetricType::kGauge, "1 while the run's command runs, 0 once it ended.",
          [](const RunMetrics& r) { return r.running ? 1.0 : 0.0; });
  per_run(out, snapshot, "wattcast_run_monitor_lost", MetricType::kGauge,
          "1 when the run never ended but its monitor stopped giving signs of life (killed): its figures stop there.",
          [](const RunMetrics& r) { return r.monitor_lost ? 1.0 : 0.0; });
  per_run(out, snapshot, "wattcast_epoch", MetricType::kGauge, "The epoch under way (the latest begun); 0 before the first.",
          [](const RunMetrics& r) { return static_cast<double>(r.epoch); });
  per_run(out, snapshot, "wattcast_epochs_completed_total", MetricType::kCounter, "Epochs that have ended.",
          [](const RunMetrics& r) { return static_cast<double>(r.epochs_done); });
  per_run(out, snapshot, "wattcast_samples_written_total", MetricType::kCounter, "Samples written to the run store.",
          [](const RunMetrics& r) { return static_cast<double>(r.samples_written); });

  out.family("wattcast_epoch_energy_joules_total", MetricType::kCounter,
             "Energy drawn by all the run's devices during one epoch, J; grows while the epoch runs, then stays. The most recent " +
                 std::to_string(kEpochSeriesShown) + " epochs of each run (the store keeps all).");
  for (const RunMetrics& run : snapshot.runs) {
    const RunLabels labels(run);
    // A run of 50,000 epochs would make a page of megabytes and as many series: recent ones only.
    const size_t first = run.epochs.size() > kEpochSeriesShown ? run.epochs.size() - kEpochSeriesShown : 0;
    for (size_t i = first; i < run.epochs.size(); ++i) {
      const EpochMetrics& e = run.epochs[i];
      const std::string epoch = std::to_string(e.epoch);
      out.sample(with(labels.labels, {{"epoch", epoch}}), e.energy_j);
    }
  }
  return out.take();
}

void keep_counters_monotonic(const MetricsSnapshot& previous, MetricsSnapshot& next) {
  std::map<int64_t, const RunMetrics*> before;
  for (const RunMetrics& run : previous.runs) before[run.run_id] = &run;
  for (RunMetrics& run : next.runs) {
    auto found = before.find(run.run_id);
    if (found == before.end()) continue;
    const RunMetrics& old = *found->second;
    run.energy_j = std::max(run.energy_j, old.energy_j);
    run.epochs_done = std::max(run.epochs_done, old.epochs_done);
    run.samples_written = std::max(run.samples_written, old.samples_written);
    std::map<int64_t, double> device_energy;
    for (const DeviceMetrics& d : old.devices) device_energy[d.device_id] = d.energy_j;
    for (DeviceMetrics& d : run.devices) {
      if (auto it = device_energy.find(d.device_id); it != device_energy.end()) d.energy_j = std::max(d.energy_j, it->second);
    }
    std::map<int, double> epoch_energy;
    for (const EpochMetrics& e : old.epochs) epoch_energy[e.epoch] = e.energy_j;
    for (EpochMetrics& e : run.epochs) {
      if (auto it = epoch_energy.find(e.epoch); it != epoch_energy.end()) e.energy_j = std::max(e.energy_j, it->second);
    }
  }
}

void SnapshotBoard::publish(MetricsSnapshot next) {
  keep_counters_monotonic(*current(), next);
  auto published = std::make_shared<const MetricsSnapshot>(std::move(next));
  const std::lock_guard<std::mutex> lock(mutex_);
  current_ = std::move(published);
}

std::shared_ptr<const MetricsSnapshot> SnapshotBoard::current() const {
  const std::lock_guard<std::mutex> lock(mutex_);
  return current_;
}

}  // namespace wattcast
