#pragma once
// What the exporter shows, as plain values: one snapshot of every followed run and its devices,
// rendered to the exposition format on each scrape. Producers (the sampler's running totals in
// `measure`, the store follower in `exporter`) publish a new snapshot to a SnapshotBoard; the
// HTTP thread takes the current one under a lock held only to copy a pointer, so a scrape never
// holds up a producer and a producer never waits on a scrape.
//
// Why the epoch is not a label on the energy counters: a counter whose labels change every
// epoch would become a new series each epoch, breaking rate()/increase() over the run and
// growing the series count with the epochs times the devices. The current epoch is a gauge
// (wattcast_epoch) and each epoch's energy a counter of its own, one series per epoch and run
// (not per device), which stops growing when the epoch ends.

#include <cmath>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace wattcast {

struct DeviceMetrics {
  int64_t device_id = 0;  // the store's: what identifies the series from one snapshot to the next
  std::string kind;       // gpu, cpu, dram, memory, process
  std::string name;
  std::string uuid;
  int index = 0;
  double energy_j = 0;            // since the device's first reading
  double power_w = std::nan("");  // latest; left out while NaN
  bool has_energy = true;         // false: no power figure nor counter yet (the process tree), left out
};

struct EpochMetrics {
  int epoch = 0;
  double energy_j = 0;  // all devices, from the epoch's start to its end (or to now)
};

struct RunMetrics {
  int64_t run_id = 0;
  std::string host;
  std::map<std::string, std::string> tags;  // `job`, `rank` (or `ranks`) become labels
  bool running = true;
  bool monitor_lost = false;  // not ended, but its monitor has been silent too long (run_state.h)
  double elapsed_s = 0;
  double energy_j = 0;  // all devices
  double power_w = 0;   // all devices with a power figure
  int epoch = 0;        // the latest begun; 0 before the first
  int epochs_done = 0;
  int64_t samples_written = 0;
  std::vector<DeviceMetrics> devices;
  std::vector<EpochMetrics> epochs;
};

// Per-epoch series on /metrics: the most recent this many epochs of each run.
inline constexpr size_t kEpochSeriesShown = 100;

struct MetricsSnapshot {
  std::vector<RunMetrics> runs;
};

// The whole /metrics page. `version` goes in wattcast_build_info.
std::string render_metrics(const MetricsSnapshot& snapshot, std::string_view version);

// Counters in `next` that fell below the value `previous` had for the same series (a sensor
// glitch, a counter read before a flush) keep the previous value: Prometheus would read any drop
// as a counter reset and count the whole value again.
void keep_counters_monotonic(const MetricsSnapshot& previous, MetricsSnapshot& next);

class SnapshotBoard {
 public:
  SnapshotBoard() : current_(std::make_shared<const MetricsSnapshot>()) {}
  // One producer at a time.
  void publish(MetricsSnapshot next);
  std::shared_ptr<const MetricsSnapshot> current() const;

 private:
  mutable std::mutex mutex_;  // held only to swap or copy the pointer
  std::shared_ptr<const MetricsSnapshot> current_;
};

}  // namespace wattcast
