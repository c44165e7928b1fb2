#include "project/stored_run.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <tuple>

#include <fmt/format.h>

#include "monitor/energy_series.h"
#include "monitor/run_summary.h"

namespace wattcast {

namespace {

struct DeviceSeries {
  bool is_gpu = false;
  EnergySeries series;
  double usual_spacing_s = 0;  // median time between samples
};

std::vector<DeviceSeries> device_series(const std::vector<DeviceRecord>& devices, const std::vector<SampleRecord>& samples) {
  std::vector<DeviceSeries> out;
  for (const auto& device : devices) {
    std::vector<const SampleRecord*> own;
    for (const auto& s : samples) {
      if (s.device_id == device.id) own.push_back(&s);
    }
    DeviceSeries d;
    d.is_gpu = device.info.kind == "gpu";
    bool from_counter = false;
    d.series = energy_series(own, &from_counter);
    if (d.series.t_s.size() < 2) continue;
    std::vector<double> spacing;
    for (size_t i = 1; i < d.series.t_s.size(); ++i) spacing.push_back(d.series.t_s[i] - d.series.t_s[i - 1]);
    std::nth_element(spacing.begin(), spacing.begin() + static_cast<std::ptrdiff_t>(spacing.size() / 2), spacing.end());
    d.usual_spacing_s = spacing[spacing.size() / 2];
    out.push_back(std::move(d));
  }
  return out;
}

// The power of the devices that matter most for segmentation: the GPUs where there are any
// (training changes their power most), else every device with a power figure. A bin inside a
// gap in a device's samples (over 3 times its usual spacing), or before its first or after its
// last sample, is NaN.
PowerTrace power_trace(const std::vector<DeviceSeries>& devices, double start_s, double end_s, double bin_s,
                       std::vector<std::string>& notes) {
  const bool has_gpu = std::any_of(devices.begin(), devices.end(), [](const DeviceSeries& d) { return d.is_gpu; });
  PowerTrace trace;
  trace.bin_s = bin_s;
  const auto bins = static_cast<size_t>(std::max(0.0, std::floor((end_s - start_s) / bin_s)));
  trace.power_w.assign(bins, 0.0);
  double gap_s = 0;
  for (const auto& device : devices) {
    if (has_gpu && !device.is_gpu) continue;
    const auto& t = device.series.t_s;
    for (size_t b = 0; b < bins; ++b) {
      const double t0 = start_s + static_cast<double>(b) * bin_s;
      // Outside the device's samples there is no figure, not zero power.
      const bool covered = t0 >= t.front() && t0 + bin_s <= t.back();
      trace.power_w[b] += covered ? (device.series.at(t0 + bin_s) - device.series.at(t0)) / bin_s : std::nan("");
    }
    for (size_t i = 1; i < t.size(); ++i) {
      if (t[i] - t[i - 1] <= 3 * device.usual_spacing_s) continue;
      gap_s += t[i] - t[i - 1];
      const auto first = static_cast<size_t>(std::max(0.0, std::floor((t[i - 1] - start_s) / bin_s)));
      for (size_t b = first; b < bins && start_s + static_cast<double>(b) * bin_s < t[i]; ++b) trace.power_w[b] = std::nan("");
    }
  }
  if (gap_s > 0) notes.push_back(fmt::format("the power trace has gaps ({:.0f} s without samples): FLUSS skips them", gap_s));
  return trace;
}

}  // namespace

Result<EpochTrace> read_stored_run(RunStore& store, int64_t run_id, const StoredRunOptions& options) {
  // One read of the run: the summary and the power trace share its samples.
  auto loaded = load_run(store, run_id);
  if (!loaded) return loaded.error();
  const RunSummary summary = summarize_run(*loaded);
  const std::vector<DeviceRecord>& devices = loaded->devices;
  const std::vector<SampleRecord>& samples = loaded->samples;
  const std::vector<DeviceSeries> series = device_series(devices, samples);
  const double start_s = summary.run.start_s;

  EpochTrace trace;
  trace.source = fmt::format("run {}", run_id);
  // The model's parameter counts, sent with the epochs' begin markers (the phase signal).
  std::map<int, std::pair<std::optional<double>, std::optional<double>>> parameters;
  for (const auto& m : loaded->markers) {
    if (m.type != "epoch_begin") continue;
    if (auto it = m.metrics.find("trainable_params"); it != m.metrics.end()) parameters[m.epoch].first = it->second;
    if (auto it = m.metrics.find("total_params"); it != m.metrics.end()) parameters[m.epoch].second = it->second;
  }
  auto energy_at = [&](double t_s) {
    double total_j = 0;
    for (const auto& d : series) total_j += d.series.at(t_s);
    return total_j;
  };
  double previous_end_s = start_s;
  for (const auto& e : summary.epochs) {
    EpochRecord epoch;
    epoch.epoch = static_cast<int>(trace.epochs.size()) + 1;
    epoch.start_s = e.start_s - start_s;
    epoch.end_s = e.end_s - start_s;
    epoch.energy_j = e.energy_j;
    epoch.metrics = e.metrics;
    epoch.energy_before_j = std::max(0.0, energy_at(e.start_s) - energy_at(previous_end_s));
    previous_end_s = e.end_s;
    if (auto it = parameters.find(e.epoch); it != parameters.end()) std::tie(epoch.trainable_params, epoch.total_params) = it->second;
    if (e.epoch != epoch.epoch && trace.notes.empty()) {
      trace.notes.push_back(fmt::format("epoch markers numbered from {} or with gaps: renumbered 1, 2, 3, ...", summary.epochs.front().epoch));
    }
    if (epoch.duration_s() <= 0) trace.notes.push_back(fmt::format("epoch {} has zero length (its markers came together)", epoch.epoch));
    trace.epochs.push_back(std::move(epoch));
  }
  if (trace.epochs.empty()) {
    if (summary.duration_s < 2 * options.slice_s) {
      return Error{fmt::format("run {} has no epoch markers and lasted {:.0f} s, too short to project by time in {:.0f} s slices",
                               run_id, summary.duration_s, options.slice_s)};
    }
    trace.notes.push_back(fmt::format("no epoch markers: projecting by time, in {:.0f} s slices taken as epochs", options.slice_s));
    for (double t = 0; t + options.slice_s <= summary.duration_s + 1e-9; t += options.slice_s) {
      EpochRecord slice;
      slice.epoch = static_cast<int>(trace.epochs.size()) + 1;
      slice.start_s = t;
      slice.end_s = t + options.slice_s;
      for (const auto& d : series) slice.energy_j += d.series.at(start_s + slice.end_s) - d.series.at(start_s + slice.start_s);
      trace.epochs.push_back(slice);
    }
  }
  // Bins no finer than 0.1 s, and no more than 200,000 of them however long the run.
  const double bin_s = std::max(0.1, summary.duration_s / 200000.0);
  trace.power = power_trace(series, start_s, start_s + summary.duration_s, bin_s, trace.notes);
  if (summary.run.end_s) trace.actual_total_j = summary.energy_j;
  return trace;
}

}  // namespace wattcast
