#include "export/live_run_metrics.h"

#include <algorithm>
#include <map>

namespace wattcast {

LiveRunMetrics::LiveRunMetrics(const RunRecord& run, const std::vector<DeviceRecord>& devices) {
  base_.run_id = run.id;
  base_.host = run.host;
  base_.tags = run.tags;
  start_s_ = run.start_s;
  for (const DeviceRecord& device : devices) {
    DeviceMetrics d;
    d.device_id = device.id;
    d.kind = device.info.kind;
    d.name = device.info.name;
    d.uuid = device.info.uuid;
    d.index = device.info.index;
    d.has_energy = false;  // until the sampler has a figure
    base_.devices.push_back(std::move(d));
  }
}

void LiveRunMetrics::note_markers(const std::vector<MarkerRecord>& markers, double run_energy_j) {
  for (const MarkerRecord& m : markers) {
    if (m.type == "epoch_begin") {
      base_.epoch = m.epoch;
      epochs_.push_back({m.epoch, run_energy_j, std::nullopt});
    } else if (m.type == "epoch_end") {
      auto open = std::find_if(epochs_.rbegin(), epochs_.rend(), [&](const Epoch& e) { return e.epoch == m.epoch && !e.end_j; });
      // An end without a begin (an end marker alone) starts where the previous epoch ended.
      if (open == epochs_.rend()) {
        const double begin_j = epochs_.empty() ? 0 : epochs_.back().end_j.value_or(run_energy_j);
        epochs_.push_back({m.epoch, begin_j, run_energy_j});
        base_.epoch = std::max(base_.epoch, m.epoch);
      } else {
        open->end_j = run_energy_j;
      }
      ++base_.epochs_done;
    }
  }
  // /metrics shows the most recent epochs only: so many are held, older ones dropped a block at a time.
  if (epochs_.size() >= 2 * kEpochSeriesShown) epochs_.erase(epochs_.begin(), epochs_.end() - static_cast<std::ptrdiff_t>(kEpochSeriesShown));
}

MetricsSnapshot LiveRunMetrics::snapshot(const std::vector<DeviceTotal>& totals, const LiveTotals& live, double now_s, bool running) const {
  RunMetrics run = base_;
  run.running = running;
  run.elapsed_s = now_s - start_s_;
  run.samples_written = live.samples_stored;
  std::map<int64_t, const DeviceTotal*> by_id;
  for (const DeviceTotal& total : totals) by_id[total.device_id] = &total;
  for (DeviceMetrics& d : run.devices) {
    auto it = by_id.find(d.device_id);
    if (it == by_id.end()) continue;
    d.energy_j = it->second->energy_j;
    d.power_w = it->second->power_w;
    d.has_energy = it->second->has_energy;
    run.energy_j += d.energy_j;
    if (!std::isnan(d.power_w)) run.power_w += d.power_w;
  }
  // Epochs are bounded by the sum of the devices' energy, the same figure as the run's counter.
  for (const Epoch& e : epochs_) run.epochs.push_back({e.epoch, std::max(0.0, e.end_j.value_or(run.energy_j) - e.begin_j)});
  MetricsSnapshot snapshot;
  snapshot.runs.push_back(std::move(run));
  return snapshot;
}

}  // namespace wattcast
