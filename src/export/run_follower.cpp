#include "export/run_follower.h"

#include <algorithm>
#include <cmath>

#include "monitor/run_summary.h"
#include "store/run_state.h"

namespace wattcast {

RunFollower::RunFollower(RunRecord run, const std::vector<DeviceRecord>& devices) : run_(std::move(run)) {
  for (const DeviceRecord& record : devices) {
    Device device;
    device.metrics.device_id = record.id;
    device.metrics.kind = record.info.kind;
    device.metrics.name = record.info.name;
    device.metrics.uuid = record.info.uuid;
    device.metrics.index = record.info.index;
    device_index_[record.id] = devices_.size();
    devices_.push_back(std::move(device));
  }
}

void RunFollower::mark(Device& device, double t_s) {
  if (device.energy_at_mark_j.count(t_s) || device.pending_marks_s.count(t_s)) return;
  if (device.integrator.started() && t_s < device.integrator.t_s()) {
    device.energy_at_mark_j[t_s] = device.integrator.energy_j();  // late marker: see the header
  } else {
    device.pending_marks_s.insert(t_s);
  }
}

void RunFollower::set_markers(std::vector<MarkerRecord> markers) {
  markers_ = std::move(markers);
  for (const MarkerRecord& m : markers_) {
    if (m.type != "epoch_begin" && m.type != "epoch_end") continue;
    for (Device& device : devices_) mark(device, m.t_s);
  }
}

void RunFollower::add_samples(const std::vector<SampleRecord>& samples) {
  for (const SampleRecord& s : samples) {
    last_tick_ = std::max(last_tick_, s.tick);
    last_sample_s_ = std::max(last_sample_s_, s.t_s);
    ++samples_;
    auto found = device_index_.find(s.device_id);
    if (found == device_index_.end()) continue;
    Device& device = devices_[found->second];
    if (std::isfinite(s.reading.power_w)) device.metrics.power_w = s.reading.power_w;
    const bool had_point = device.integrator.started();
    const double t0 = device.integrator.t_s(), e0 = device.integrator.energy_j();
    if (!device.integrator.add(s)) continue;
    const double t1 = device.integrator.t_s(), e1 = device.integrator.energy_j();
    // As EnergySeries::at: flat before the first point, linear between two.
    while (!device.pending_marks_s.empty() && *device.pending_marks_s.begin() <= t1) {
      const double mark_s = *device.pending_marks_s.begin();
      device.pending_marks_s.erase(device.pending_marks_s.begin());
      const bool between = had_point && mark_s > t0 && t1 > t0;
      device.energy_at_mark_j[mark_s] = between ? e0 + (mark_s - t0) / (t1 - t0) * (e1 - e0) : (had_point ? e0 : e1);
    }
  }
}

double RunFollower::Device::energy_at(double t_s) const {
  if (!integrator.started()) return 0;
  if (auto it = energy_at_mark_j.find(t_s); it != energy_at_mark_j.end()) return it->second;
  // Not a marker: the run's start or end, which lie before the first sample or at the latest.
  return t_s >= integrator.t_s() ? integrator.energy_j() : integrator.first_energy_j();
}

RunMetrics RunFollower::metrics(double now_s) const {
  RunMetrics out;
  out.run_id = run_.id;
  out.host = run_.host;
  out.tags = run_.tags;
  // A run whose monitor is lost is not running, whatever its record says (run_state.h).
  const std::optional<double> over_s = run_over_at(run_, now_s);
  out.running = !over_s.has_value();
  out.monitor_lost = !run_.end_s && over_s;
  out.elapsed_s = std::max(0.0, over_s.value_or(now_s) - run_.start_s);
  out.samples_written = samples_;
  for (const Device& device : devices_) {
    DeviceMetrics d = device.metrics;
    d.has_energy = device.integrator.started();
    if (device.integrator.started()) {
      d.energy_j = device.integrator.energy_j() - device.integrator.first_energy_j();
      out.energy_j += d.energy_j;
    }
    out.devices.push_back(std::move(d));
  }
  for (const DeviceMetrics& d : out.devices) {
    if (!std::isnan(d.power_w)) out.power_w += d.power_w;
  }
  const double end_s = run_.end_s.value_or(samples_ == 0 ? run_.start_s : last_sample_s_);
  for (const EpochEnergy& window : epoch_windows(markers_, run_.start_s, end_s)) {
    EpochMetrics e;
    e.epoch = window.epoch;
    for (const Device& device : devices_) e.energy_j += device.energy_at(window.end_s) - device.energy_at(window.start_s);
    out.epochs.push_back(e);
  }
  for (const MarkerRecord& m : markers_) {
    if (m.type == "epoch_begin") out.epoch = m.epoch;
    if (m.type == "epoch_end") ++out.epochs_done;
  }
  return out;
}

}  // namespace wattcast
