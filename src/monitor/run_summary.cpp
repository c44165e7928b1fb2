#include "monitor/run_summary.h"

#include "monitor/energy_series.h"

#include <algorithm>
#include <cmath>

#include <nlohmann/json.hpp>

namespace wattcast {

std::vector<EpochEnergy> epoch_windows(const std::vector<MarkerRecord>& markers, double run_start_s, double run_end_s) {
  std::map<int, EpochEnergy> epochs;
  std::map<int, bool> has_begin, has_end;
  for (const auto& m : markers) {
    if (m.type != "epoch_begin" && m.type != "epoch_end") continue;
    EpochEnergy& e = epochs[m.epoch];
    e.epoch = m.epoch;
    if (m.type == "epoch_begin") {
      e.start_s = m.t_s;
      has_begin[m.epoch] = true;
    } else {
      e.end_s = m.t_s;
      has_end[m.epoch] = true;
      for (const auto& [k, v] : m.metrics) e.metrics[k] = v;
    }
  }
  std::vector<EpochEnergy> out;
  for (auto it = epochs.begin(); it != epochs.end(); ++it) {
    EpochEnergy e = it->second;
    if (!has_begin[e.epoch]) e.start_s = out.empty() ? run_start_s : out.back().end_s;
    if (!has_end[e.epoch]) {
      auto next = std::next(it);
      e.end_s = next != epochs.end() && has_begin[next->first] ? next->second.start_s : run_end_s;
    }
    // Zero-length epochs (markers printed in one burst) are kept: dropping them would hide them.
    if (e.end_s >= e.start_s) out.push_back(e);
  }
  return out;
}

Result<StoredRun> load_run(RunStore& store, int64_t run_id) {
  StoredRun loaded;
  auto run = store.run(run_id);
  if (!run) return run.error();
  loaded.run = std::move(run).value();
  auto devices = store.devices(run_id);
  if (!devices) return devices.error();
  loaded.devices = std::move(devices).value();
  auto samples = store.samples(run_id);
  if (!samples) return samples.error();
  loaded.samples = std::move(samples).value();
  auto markers = store.markers(run_id);
  if (!markers) return markers.error();
  loaded.markers = std::move(markers).value();
  return loaded;
}

Result<RunSummary> summarize_run(RunStore& store, int64_t run_id) {
  auto loaded = load_run(store, run_id);
  if (!loaded) return loaded.error();
  return summarize_run(*loaded);
}

RunSummary summarize_run(const StoredRun& loaded) {
  const RunRecord& run = loaded.run;

  RunSummary summary;
  summary.run = run;
  const double end_s = run.end_s.value_or(loaded.samples.empty() ? run.start_s : loaded.samples.back().t_s);
  summary.duration_s = std::max(0.0, end_s - run.start_s);
  const auto config = nlohmann::json::parse(run.configuration_json, nullptr, false);
  if (config.is_object()) {
    summary.location = config.value("location", "");
    summary.g_co2e_per_kwh = config.value("g_co2e_per_kwh", 0.0);
    summary.pue = config.value("pue", 1.0);
  }

  // The monitor's totals where samples are missing from the store.
  const std::optional<UnstoredSamplesRecord> unstored = find_unstored_samples(loaded.markers);
  summary.unstored = unstored;
  std::vector<EnergySeries> series;
  for (const auto& device : loaded.devices) {
    std::vector<const SampleRecord*> own;
    for (const auto& s : loaded.samples) {
      if (s.device_id == device.id) own.push_back(&s);
    }
    DeviceEnergy d;
    d.device = device;
    d.samples = own.size();
    series.push_back(energy_series(own, &d.from_counter));
    const EnergySeries& e = series.back();
    if (!e.t_s.empty()) {
      d.energy_j = e.energy_j.back() - e.energy_j.front();
      const double span = e.t_s.back() - e.t_s.front();
      d.mean_power_w = span > 0 ? d.energy_j / span : 0;
    }
    for (const SampleRecord* s : own) {
      if (s->reading.rss_bytes) d.peak_rss_bytes = std::max(d.peak_rss_bytes.value_or(0), *s->reading.rss_bytes);
      if (s->reading.cpu_time_s) d.cpu_time_s = std::max(d.cpu_time_s.value_or(0), *s->reading.cpu_time_s);
    }
    bool has_energy = !e.t_s.empty();
    if (unstored) {
      if (auto monitored = unstored->device_energy_j.find(device.id); monitored != unstored->device_energy_j.end()) {
        d.energy_j = monitored->second;
        d.mean_power_w = summary.duration_s > 0 ? d.energy_j / summary.duration_s : 0;
        has_energy = true;
      }
    }
    if (has_energy) {
      summary.energy_by_kind_j[device.info.kind] += d.energy_j;
      summary.modelled_by_kind[device.info.kind] =
          summary.modelled_by_kind[device.info.kind] || device.info.provenance == Provenance::kModelled;
      summary.energy_j += d.energy_j;
    }
    summary.devices.push_back(std::move(d));
  }
  if (unstored) summary.energy_j = unstored->energy_j;
  summary.mean_power_w = summary.duration_s > 0 ? summary.energy_j / summary.duration_s : 0;
  summary.co2e_g = summary.energy_j * summary.pue / 3.6e6 * summary.g_co2e_per_kwh;

  summary.epochs = epoch_windows(loaded.markers, run.start_s, end_s);
  for (const auto& m : loaded.markers) {
    if (m.type != "projection") continue;
    auto figure = [&](const char* name) { auto it = m.metrics.find(name); return it == m.metrics.end() ? 0.0 : it->second; };
    summary.last_projection = RecordedProjection{m.epoch, static_cast<int>(figure("total_epochs")), figure("energy_j"), figure("low_j"),
                                                 figure("high_j"), m.name};
  }
  for (auto& epoch : summary.epochs) {
    for (const auto& s : series) epoch.energy_j += s.at(epoch.end_s) - s.at(epoch.start_s);
    const double duration_s = epoch.end_s - epoch.start_s;
    epoch.mean_power_w = duration_s > 0 ? epoch.energy_j / duration_s : 0;
  }
  return summary;
}

}  // namespace wattcast
