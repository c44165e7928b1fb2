#pragma once
// Polls every sensor at a fixed interval on its own thread, keeps running energy totals for the
// live view, and hands samples to the store in batches from a second thread, so a slow disk
// never delays a sample and at most one flush interval of samples is lost if the monitor dies.
// Costly energy counters are read at anchors only (the first and last samples, and an anchor
// sample taken when asked, at epoch markers); in between, energy is integrated from power.

#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "monitor/energy_series.h"
#include "monitor/unstored_samples.h"
#include "sensors/sensor.h"
#include "store/run_store.h"

namespace wattcast {

struct SensorBinding {
  std::unique_ptr<Sensor> sensor;
  std::vector<int64_t> device_ids;  // store ids, parallel to sensor->devices()
};

struct SamplerOptions {
  std::chrono::nanoseconds interval = std::chrono::milliseconds(100);
  // At most this much is lost if the monitor is killed; longer batches cost less.
  std::chrono::nanoseconds flush_interval = std::chrono::seconds(1);
  // The run whose heartbeat each flush records (run_state.h); 0: none.
  int64_t heartbeat_run_id = 0;
  // While the store refuses writes (a full disk, a lock held elsewhere), samples wait in memory
  // and every flush tries again; beyond this many, the oldest are given up (and counted).
  size_t max_unstored_samples = 2'000'000;
};

// What the live status line shows.
struct LiveTotals {
  double power_w = 0;   // latest, all devices with a power figure
  double energy_j = 0;  // since start, all devices
  int64_t ticks = 0;
  int64_t samples_stored = 0;  // accepted by the store so far
};

// One store device's running figures, for the Prometheus exporter.
struct DeviceTotal {
  int64_t device_id = 0;
  double energy_j = 0;            // since the device's first reading, as the run summary counts it
  double power_w = std::nan("");  // latest; NaN until the device reports one
  bool has_energy = false;        // false for devices with neither power nor a counter (process tree)
};

class Sampler {
 public:
  Sampler(std::vector<SensorBinding> sensors, RunStore& store, SamplerOptions options);
  ~Sampler();
  Sampler(const Sampler&) = delete;
  Sampler& operator=(const Sampler&) = delete;

  void start();
  // Stops sampling, joins both threads and writes what is left. Idempotent.
  Status stop();

  LiveTotals live() const;
  // Takes an anchor sample (every sensor read, every energy counter too) unless one was taken at
  // or after `since_s`, and returns the run's energy at `since_s` (the anchor's, less its power
  // times the milliseconds between): for an epoch marker received at `since_s`, so epoch energies
  // are the counters' own and those the store gives back. Waits at
  // most `max_wait` for the sampler thread.
  double anchored_energy_j(double since_s, std::chrono::milliseconds max_wait = std::chrono::milliseconds(200));
  // Copied under the same short lock as live(): a reader never holds up the sampler for longer.
  std::vector<DeviceTotal> device_totals() const;
  // Problems seen since the last call (a sensor failing, the store refusing writes), once each.
  std::vector<std::string> take_warnings();
  // After stop(): what could not be stored; the monitor's own totals (live(), device_totals())
  // still count it.
  UnstoredSamples unstored() const;
  // Markers go to the store from the writer thread too, with the next flush, so the thread that
  // supervises the command never waits on the store; refused ones are tried again like samples.
  // After stop(), written at once.
  void add_markers(std::vector<MarkerRecord> markers);
  // The run's tags, written like markers (the latest replaces any not written yet); best effort,
  // as RunStore::replace_tags is.
  void replace_tags(int64_t run_id, std::map<std::string, std::string> tags);
  // How long the store has been busy with the write in progress (0 when none is): a store that
  // does not answer (a hung server, a lock held elsewhere) shows here.
  double store_busy_s() const;

 private:
  void sample_loop();
  void write_loop();
  void take_sample(int64_t tick, bool anchor);
  bool take_anchor_request();
  int64_t ticks_until_due() const;
  void warn(std::string message);
  void give_up_oldest(std::vector<SampleRecord>& waiting, size_t count, const std::string& reason);

  std::vector<SensorBinding> sensors_;
  std::vector<bool> sensor_failed_;
  std::vector<double> last_read_s_;  // sampler thread only
  std::vector<SampleRecord> tick_batch_;  // sampler thread only
  std::vector<Reading> tick_readings_;    // sampler thread only
  RunStore& store_;
  SamplerOptions options_;

  std::atomic<bool> running_{false};
  std::mutex sleep_mutex_;  // pairs with wake_sampler_, so stop() and anchor requests cut a sleep short
  std::condition_variable wake_sampler_;
  bool anchor_requested_ = false;  // guarded by sleep_mutex_
  int64_t last_tick_ = 0;   // sampler thread, then stop() once it has joined
  std::thread sampler_thread_;
  std::thread writer_thread_;

  mutable std::mutex mutex_;  // guards everything below
  std::condition_variable wake_writer_;
  std::condition_variable anchor_taken_;
  double last_anchor_s_ = -1e300;
  double energy_at_anchor_j_ = 0;  // all devices, unheld (see EnergyIntegrator)
  double power_at_anchor_w_ = 0;
  double span_before_anchor_s_ = 0;  // since the sample before the anchor
  double last_tick_s_ = 0;
  double anchored_floor_j_ = 0;  // the highest energy anchored_energy_j handed out
  std::vector<SampleRecord> pending_;
  std::vector<MarkerRecord> pending_markers_;
  std::optional<std::pair<int64_t, std::map<std::string, std::string>>> pending_tags_;
  double write_started_s_ = 0;  // 0: no write in progress
  std::vector<std::string> warnings_;
  LiveTotals live_;
  std::vector<DeviceTotal> device_totals_;  // every store device, in binding order
  Status write_status_ = ok_status();
  UnstoredSamples given_up_;
  bool stopped_ = false;
  bool sampling_done_ = false;  // the sampler thread has ended and left its last samples

  // Sampler thread only: per store device, its energy as the exporter follows it (the last counter
  // value plus the power integral since; never going back) and its latest power.
  struct DeviceState {
    EnergyIntegrator integrator;
    double last_power_w = std::nan("");
  };
  std::vector<std::vector<DeviceState>> device_state_;
};

double unix_time_s();

}  // namespace wattcast
