#pragma once
// Where measured runs live: one run's command, devices, every sample and every marker. A
// narrow interface with two back ends: SQLite, the default (sqlite_store.h), and PostgreSQL for
// a store shared by many nodes (postgres_store.h); open_store.h picks one from a path or URL.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "sensors/sensor.h"

namespace wattcast {

struct RunRecord {
  int64_t id = 0;
  std::string command;  // the command line, shell-quoted
  double start_s = 0;   // Unix time
  std::optional<double> end_s;
  std::optional<int> exit_code;
  std::string end_reason;  // "exited", "signal 9", "monitor interrupted", ...
  std::string host;
  std::map<std::string, std::string> tags;
  std::string configuration_json = "{}";  // interval, devices asked for, region, pue, epochs, ...
  std::optional<double> heartbeat_s;      // the monitor's last sign of life (run_state.h)
};

struct DeviceRecord {
  int64_t id = 0;
  int64_t run_id = 0;
  std::string sensor;
  DeviceInfo info;
};

struct SampleRecord {
  int64_t device_id = 0;
  int64_t tick = 0;  // the sampler's tick number: consecutive, so gaps and duplicates show
  double t_s = 0;    // Unix time
  Reading reading;
};

struct MarkerRecord {
  int64_t run_id = 0;
  double t_s = 0;
  std::string type;  // epoch_begin, epoch_end, phase_begin, phase_end
  int epoch = 0;
  std::string name;
  std::map<std::string, double> metrics;
  std::string source;  // "python", "pattern", "api"
};

using SampleVisitor = std::function<bool(const SampleRecord&)>;

class RunStore {
 public:
  virtual ~RunStore() = default;

  virtual Result<int64_t> begin_run(const RunRecord& run) = 0;
  virtual Result<int64_t> add_device(int64_t run_id, const std::string& sensor, const DeviceInfo& info) = 0;
  // One transaction: all of them or none.
  virtual Status append_samples(const std::vector<SampleRecord>& samples) = 0;
  virtual Status append_markers(const std::vector<MarkerRecord>& markers) = 0;
  virtual Status finish_run(int64_t run_id, double end_s, std::optional<int> exit_code, const std::string& end_reason) = 0;
  // The monitor is alive at `t_s` (run_state.h). Kept in a table of its own, which stores from
  // before it lack and older wattcasts ignore.
  virtual Status record_heartbeat(int64_t run_id, double t_s) = 0;
  // Replaces a run's tags while it runs (a node monitor records the ranks that attach to it).
  // Not every back end can: the default says so, and the caller keeps the facts elsewhere too.
  virtual Status replace_tags(int64_t run_id, const std::map<std::string, std::string>& tags) {
    (void)run_id, (void)tags;
    return Error{"this run store cannot change a run's tags"};
  }

  virtual Result<std::vector<RunRecord>> runs() = 0;
  virtual Result<RunRecord> run(int64_t run_id) = 0;
  virtual Result<std::vector<DeviceRecord>> devices(int64_t run_id) = 0;
  virtual Result<std::vector<MarkerRecord>> markers(int64_t run_id) = 0;

  // The run's samples with a tick above `after_tick`, one at a time in tick order (then device),
  // none kept. Stops, without an error, where `visit` returns false. `visit` must not call the
  // store. The one sample read a back end implements; the three below are built on it.
  virtual Status for_each_sample_after(int64_t run_id, int64_t after_tick, const SampleVisitor& visit) = 0;

  // Every sample, for readers of a whole run that need not hold it (the run summary).
  Status for_each_sample(int64_t run_id, const SampleVisitor& visit) { return for_each_sample_after(run_id, -1, visit); }
  // Those past `after_tick`, held: for readers that follow a run while it is written (the
  // exporter), without reading it all again.
  Result<std::vector<SampleRecord>> samples_after(int64_t run_id, int64_t after_tick) {
    std::vector<SampleRecord> out;
    if (auto read = for_each_sample_after(run_id, after_tick, [&out](const SampleRecord& s) { return out.push_back(s), true; }); !read) {
      return read.error();
    }
    return out;
  }
  Result<std::vector<SampleRecord>> samples(int64_t run_id) { return samples_after(run_id, -1); }
};

}  // namespace wattcast
