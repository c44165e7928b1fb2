#pragma once
// A source of power readings for one or more devices (GPUs, CPU packages, DRAM, the process
// tree). The monitor polls every sensor at each tick; a sensor that is missing or unreadable is
// not constructed at all (its factory returns an error saying why and how to fix it), and a
// sensor that falls back to a model says so in its devices' provenance.

#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"

namespace wattcast {

enum class Provenance { kMeasured, kModelled };

inline const char* provenance_name(Provenance p) { return p == Provenance::kMeasured ? "measured" : "modelled"; }

struct DeviceInfo {
  std::string kind;  // "gpu", "cpu", "dram", "memory", "process"
  std::string name;  // "NVIDIA H100 80GB HBM3", "package-0", ...
  std::string uuid;  // GPUs: NVML UUID; others: a stable id such as "intel-rapl:0"
  int index = 0;     // GPUs: NVML index; others: position within their kind
  Provenance provenance = Provenance::kMeasured;
  std::string note;  // how a modelled figure is derived, or why a measurement is degraded
};

// One device at one instant. Absent optionals were not available from the device.
struct Reading {
  size_t device = 0;  // index into Sensor::devices()
  double power_w = std::nan("");
  // Energy since the sensor started, J: from a hardware counter where the device has one
  // (wrap-around already handled), else absent and the monitor integrates power.
  std::optional<double> energy_j;
  std::optional<double> utilization_pct;
  std::optional<double> memory_used_bytes;
  std::optional<double> temperature_c;
  std::optional<double> sm_clock_mhz;
  std::optional<double> power_limit_w;
  // The process tree's CPU seconds and resident memory (process sensor only).
  std::optional<double> cpu_time_s;
  std::optional<double> rss_bytes;
};

class Sensor {
 public:
  virtual ~Sensor() = default;
  virtual std::string name() const = 0;  // "nvml", "rapl", "cpu-model", ...
  virtual const std::vector<DeviceInfo>& devices() const = 0;
  // The shortest useful time between two readings, s. Sensors whose figures change slowly or
  // are modelled anyway (process tree, memory) read less often than the sampling interval, so
  // fast sampling of the GPU stays cheap.
  virtual double min_interval_s() const { return 0; }
  // Appends one reading per device. An error is reported by the monitor once and the sensor is
  // then skipped; a device that fails alone is left out of `out` for that tick.
  virtual Status sample(std::vector<Reading>& out) = 0;
  // Asks the next sample() to carry every energy counter's value. Sensors whose counter is costly
  // to read (NVML's: ~4 ms of CPU a read) read it only at such anchors and rarely in between;
  // the monitor asks at a run's first and last samples and at its epoch markers, where totals
  // and epoch energies must be the counter's own.
  virtual void read_counters_next() {}
  // What the user should know once about how this sensor is read (a GPU that updates its
  // readings less often than it is sampled, say); empty by default.
  virtual std::vector<std::string> take_notices() { return {}; }
};

}  // namespace wattcast
