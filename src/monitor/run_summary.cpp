#include "monitor/run_summary.h"

#include "monitor/energy_series.h"

#include <algorithm>
#include <cmath>
#include <functional>

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

namespace {

// Every epoch's start and end, sorted, each once.
std::vector<double> boundary_times(const std::vector<EpochEnergy>& epochs) {
  std::vector<double> times;
  for (const auto& e : epochs) {
    times.push_back(e.start_s);
    times.push_back(e.end_s);
  }
  std::sort(times.begin(), times.end());
  times.erase(std::unique(times.begin(), times.end()), times.end());
  return times;
}

double energy_at(const EnergyAtTimes& energy, const std::vector<double>& times, double t) {
  return energy.energy_at_j()[static_cast<size_t>(std::lower_bound(times.begin(), times.end(), t) - times.begin())];
}

// One device's figures, sample by sample.
struct DeviceTally {
  DeviceEnergy figures;
  EnergyAtTimes energy;

  void add(const SampleRecord& s) {
    ++figures.samples;
    energy.add(s);
    if (s.reading.rss_bytes) figures.peak_rss_bytes = std::max(figures.peak_rss_bytes.value_or(0), *s.reading.rss_bytes);
    if (s.reading.cpu_time_s) figures.cpu_time_s = std::max(figures.cpu_time_s.value_or(0), *s.reading.cpu_time_s);
  }
};

// Calls its argument with the run's samples, in the store's order.
using SampleWalk = std::function<Status(const SampleVisitor&)>;

// The summary from one walk over the samples: memory for the devices, markers and epochs, none
// for the samples. `end_s`: when the run ended, or its last sample.
Result<RunSummary> summarize(const RunRecord& run, const std::vector<DeviceRecord>& devices, const std::vector<MarkerRecord>& markers, double end_s,
                             const SampleWalk& walk) {
  RunSummary summary;
  summary.run = run;
  summary.duration_s = std::max(0.0, end_s - run.start_s);
  const auto config = nlohmann::json::parse(run.configuration_json, nullptr, false);
  if (config.is_object()) {
    summary.location = config.value("location", "");
    summary.g_co2e_per_kwh = config.value("g_co2e_per_kwh", 0.0);
    summary.pue = config.value("pue", 1.0);
  }
  summary.epochs = epoch_windows(markers, run.start_s, end_s);
  const std::vector<double> times = boundary_times(summary.epochs);

  std::vector<DeviceTally> tallies;
  std::map<int64_t, size_t> tally_of_device;
  for (const auto& device : devices) {
    tally_of_device[device.id] = tallies.size();
    DeviceEnergy figures;
    figures.device = device;
    tallies.push_back({figures, EnergyAtTimes(times)});
  }
  auto walked = walk([&](const SampleRecord& s) {
    if (auto it = tally_of_device.find(s.device_id); it != tally_of_device.end()) tallies[it->second].add(s);
    return true;
  });
  if (!walked) return walked.error();

  // The monitor's totals where samples are missing from the store.
  const std::optional<UnstoredSamplesRecord> unstored = find_unstored_samples(markers);
  summary.unstored = unstored;
  for (auto& tally : tallies) {
    tally.energy.finish();
    DeviceEnergy& d = tally.figures;
    const DeviceRecord& device = d.device;
    d.from_counter = tally.energy.from_counter();
    bool has_energy = tally.energy.has_points();
    if (has_energy) {
      d.energy_j = tally.energy.last_energy_j() - tally.energy.first_energy_j();
      const double span = tally.energy.last_t_s() - tally.energy.first_t_s();
      d.mean_power_w = span > 0 ? d.energy_j / span : 0;
    }
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
    summary.devices.push_back(d);
  }
  if (unstored) summary.energy_j = unstored->energy_j;
  summary.mean_power_w = summary.duration_s > 0 ? summary.energy_j / summary.duration_s : 0;
  summary.co2e_g = summary.energy_j * summary.pue / 3.6e6 * summary.g_co2e_per_kwh;

  for (const auto& m : markers) {
    if (m.type != "projection") continue;
    auto figure = [&](const char* name) { auto it = m.metrics.find(name); return it == m.metrics.end() ? 0.0 : it->second; };
    summary.last_projection = RecordedProjection{m.epoch, static_cast<int>(figure("total_epochs")), figure("energy_j"), figure("low_j"),
                                                 figure("high_j"), m.name};
  }
  for (auto& epoch : summary.epochs) {
    for (const auto& tally : tallies) epoch.energy_j += energy_at(tally.energy, times, epoch.end_s) - energy_at(tally.energy, times, epoch.start_s);
    const double duration_s = epoch.end_s - epoch.start_s;
    epoch.mean_power_w = duration_s > 0 ? epoch.energy_j / duration_s : 0;
  }
  return summary;
}

}  // namespace

Result<RunSummary> summarize_run(RunStore& store, int64_t run_id, const std::optional<MarkerRecord>& unstored_marker) {
  auto run = store.run(run_id);
  if (!run) return run.error();
  auto devices = store.devices(run_id);
  if (!devices) return devices.error();
  auto markers = store.markers(run_id);
  if (!markers) return markers.error();
  if (unstored_marker && !find_unstored_samples(*markers)) markers->push_back(*unstored_marker);
  const SampleWalk walk = [&](const SampleVisitor& visit) { return store.for_each_sample(run_id, visit); };
  double end_s = run->start_s;
  if (run->end_s) {
    end_s = *run->end_s;
  } else {
    // A run still going, or whose monitor died: it ends with its last sample, which the epoch
    // windows need before the walk, so a first walk finds it.
    auto found = walk([&](const SampleRecord& s) {
      end_s = s.t_s;
      return true;
    });
    if (!found) return found.error();
  }
  return summarize(*run, *devices, *markers, end_s, walk);
}

RunSummary summarize_run(const StoredRun& loaded) {
  const RunRecord& run = loaded.run;
  const double end_s = run.end_s.value_or(loaded.samples.empty() ? run.start_s : loaded.samples.back().t_s);
  auto summary = summarize(run, loaded.devices, loaded.markers, end_s, [&](const SampleVisitor& visit) {
    for (const auto& s : loaded.samples) {
      if (!visit(s)) break;
    }
    return ok_status();
  });
  return std::move(summary).value();  // walking a vector cannot fail
}

}  // namespace wattcast
