#include "report/run_report.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "monitor/run_summary.h"
#include "project/earliest_projection.h"
#include "project/projection.h"
#include "project/stabilization.h"

namespace wattcast {

namespace {

std::string device_label(const DeviceRecord& d) {
  std::string label = fmt::format("{}{}", d.info.kind, d.info.index);
  if (!d.info.name.empty()) label += " " + d.info.name;
  return label;
}

// Power per device from the run's start, thinned for display. Devices with no power figure
// (the process tree) have no series.
std::vector<DevicePowerSeries> power_series(const std::vector<DeviceRecord>& devices, const std::vector<SampleRecord>& samples,
                                            double run_start_s, size_t buckets) {
  std::map<int64_t, std::vector<TimedValue>> by_device;
  for (const auto& s : samples) {
    if (std::isfinite(s.reading.power_w)) by_device[s.device_id].push_back({s.t_s - run_start_s, s.reading.power_w});
  }
  std::vector<DevicePowerSeries> out;
  std::map<std::string, int> seen_labels;
  for (const auto& d : devices) {
    auto found = by_device.find(d.id);
    if (found == by_device.end()) continue;
    auto& points = found->second;
    std::stable_sort(points.begin(), points.end(), [](const TimedValue& a, const TimedValue& b) { return a.t_s < b.t_s; });
    DevicePowerSeries series;
    series.device = device_label(d);
    // Two sensors may report devices of the same kind and index; the chart needs distinct names.
    if (const int repeats = seen_labels[series.device]++; repeats > 0) series.device += fmt::format(" ({})", repeats + 1);
    series.recorded_samples = points.size();
    series.power_w = downsample_min_max(points, buckets);
    out.push_back(std::move(series));
  }
  return out;
}

// As `wattcast project` shows a finished run: the projections as soon as they were possible.
void add_projections(const EpochTrace& trace, const RunReportOptions& options, RunReport& report) {
  const int total = static_cast<int>(trace.epochs.size());
  ProjectionOptions projection;
  projection.window = options.window;
  std::vector<int> candidates;
  for (int k = options.window; k <= total; ++k) candidates.push_back(k);
  auto found = first_projection(trace, candidates, "online", total, projection);
  if (!found) {
    report.notes.push_back(candidates.empty() ? fmt::format("no projection: {} epoch(s), fewer than the window of {}", total, options.window)
                                              : "no projection: " + found.error().message);
    return;
  }
  for (const auto& p : found->projections.projections) {
    report.projections.push_back({p.method, p.energy_j, p.low_j, p.high_j, found->epochs_seen});
  }
}

}  // namespace

Result<RunReport> build_run_report(RunStore& store, int64_t run_id, const RunReportOptions& options) {
  // One read of the run: the summary and the power trace share its samples.
  auto loaded = load_run(store, run_id);
  if (!loaded) return loaded.error();
  const RunSummary summary = summarize_run(*loaded);
  const std::vector<DeviceRecord>& devices = loaded->devices;
  const std::vector<SampleRecord>& samples = loaded->samples;

  RunReport report;
  report.run = summary.run;
  report.duration_s = summary.duration_s;
  report.energy_j = summary.energy_j;
  if (summary.unstored) report.notes.push_back(unstored_samples_text(summary.unstored->span, summary.run.start_s));
  const double start_s = summary.run.start_s;
  report.power = power_series(devices, samples, start_s, options.display_buckets);
  for (const auto& series : report.power) {
    if (series.power_w.size() < series.recorded_samples) {
      report.notes.push_back(fmt::format("{}: {} samples shown as {} (lowest and highest of each of {} time columns, so peaks survive)",
                                         series.device, series.recorded_samples, series.power_w.size(), options.display_buckets));
    }
  }

  EpochTrace trace;
  trace.source = fmt::format("run {}", run_id);
  for (const auto& e : summary.epochs) {
    report.epochs.push_back({e.epoch, e.start_s - start_s, e.end_s - start_s, e.energy_j, e.metrics});
    EpochRecord record;
    record.epoch = static_cast<int>(trace.epochs.size()) + 1;  // the detectors count from 1 without gaps
    record.start_s = e.start_s - start_s;
    record.end_s = e.end_s - start_s;
    record.energy_j = e.energy_j;
    record.metrics = e.metrics;
    trace.epochs.push_back(std::move(record));
  }
  if (trace.epochs.empty()) {
    report.notes.push_back("no epoch markers: no epochs, stabilizing epoch or projections to show");
    return report;
  }
  std::vector<std::string> fallbacks;
  if (auto stable = detect_with_fallback(trace, "online", &fallbacks); stable && stable->epoch >= 1 && stable->epoch <= static_cast<int>(report.epochs.size())) {
    report.stabilizing_epoch = report.epochs[static_cast<size_t>(stable->epoch - 1)].epoch;
    report.stabilization_note = fmt::format("{} detector: {}", stable->detector, stable->note);
    for (const auto& fallback : fallbacks) report.stabilization_note = fallback + "; " + report.stabilization_note;
  } else {
    report.stabilization_note = "no stabilizing epoch found" + (stable ? std::string() : ": " + stable.error().message);
  }
  if (!summary.run.end_s) {
    report.notes.push_back("the run has not finished: its total epochs are unknown, so no projection is shown");
  } else {
    report.actual_j = summary.energy_j;
    add_projections(trace, options, report);
  }
  if (const auto& live = summary.last_projection) {
    report.projections.push_back({"live (" + live->detector + ")", live->energy_j, live->low_j, live->high_j, live->after_epoch});
  }
  return report;
}

}  // namespace wattcast
