#pragma once
// One run of a store as the standalone exporter follows it: samples are added as they are
// read (RunStore::samples_after), each device's energy integrated by the same EnergyIntegrator
// the run summary uses, so the counters end where `wattcast show` does. Epochs are bounded as
// the summary bounds them (epoch_windows); each device's energy at an epoch marker is
// interpolated when its samples pass the marker's time. A marker read only after the samples
// past it (it reached the store late) is taken at the device's latest sample instead.

#include <cstdint>
#include <map>
#include <set>
#include <vector>

#include "export/metrics_snapshot.h"
#include "monitor/energy_series.h"
#include "store/run_store.h"

namespace wattcast {

class RunFollower {
 public:
  RunFollower(RunRecord run, const std::vector<DeviceRecord>& devices);

  void update_run(RunRecord run) { run_ = std::move(run); }
  // All the run's markers so far (they are few; re-read whole).
  void set_markers(std::vector<MarkerRecord> markers);
  // In the store's order (by tick).
  void add_samples(const std::vector<SampleRecord>& samples);

  const RunRecord& run() const { return run_; }
  int64_t last_tick() const { return last_tick_; }
  RunMetrics metrics(double now_s) const;

 private:
  struct Device {
    DeviceMetrics metrics;
    EnergyIntegrator integrator;
    std::set<double> pending_marks_s;           // marker times the samples have not reached yet
    std::map<double, double> energy_at_mark_j;  // marker time -> the device's series there
    double energy_at(double t_s) const;
  };
  void mark(Device& device, double t_s);

  RunRecord run_;
  std::vector<Device> devices_;
  std::map<int64_t, size_t> device_index_;  // store id -> devices_
  std::vector<MarkerRecord> markers_;
  int64_t last_tick_ = -1;
  int64_t samples_ = 0;
  double last_sample_s_ = 0;
};

}  // namespace wattcast
