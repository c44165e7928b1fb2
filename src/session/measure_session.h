#pragma once
// One measured run, from its start to its record in the store: what `wattcast measure` does for
// a command it starts and for a process it attaches to, and what a C++ caller can drive alike.
// The caller parses and checks the request and says things to the user (MeasureObserver); the
// session starts the command or watches the process, samples every sensor, takes the markers,
// steers (projection, budget, early stopping), serves /metrics, and keeps everything in the store.
// docs/DESIGN.md, "A measured run", draws the data flow.

#include <sys/types.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "carbon/carbon_catalog.h"
#include "core/result.h"
#include "export/metrics_server.h"
#include "monitor/epoch_patterns.h"
#include "monitor/run_summary.h"
#include "monitor/sampler.h"
#include "session/run_steering.h"

namespace wattcast {

struct MeasureRequest {
  // Either a command to start, or a running process of this user's to attach to.
  std::vector<std::string> command;
  std::optional<pid_t> attach;
  std::string store;  // an SQLite path or a postgresql:// URL; its folder must exist
  // The longest a store write may wait (MonitorStoreOptions::write_timeout).
  double store_timeout_s = 5;
  double interval_ms = 100;
  std::optional<std::string> devices;  // CUDA_VISIBLE_DEVICES syntax; default: the process's own
  std::map<std::string, std::string> tags;
  CarbonContext carbon;
  int epochs = 0;  // expected, for progress and the projection; 0 unknown
  std::string epoch_regex;  // as given, for the run record
  std::optional<EpochPatternMatcher> epoch_matcher;
  std::string replay_trace;
  std::optional<std::string> job;
  std::optional<ListenAddress> metrics_address;  // serve /metrics there while the run lasts
  SteeringOptions steering;
  std::string ready_file;  // written once measuring: {run_id, socket, store}
  std::string data_dir;    // the reference data (CPU TDP table)
  bool sensor_notes = true;
  bool live_status = false;  // a status line is shown: the command's output passes through
};

// What the run tells whoever drives it, as it happens.
class MeasureObserver {
 public:
  virtual ~MeasureObserver() = default;
  virtual void notice(const std::string& line) = 0;  // one line for the user
  // About once a second: elapsed time, power and energy so far, the epoch, the live projection.
  virtual void progress(double elapsed_s, const LiveTotals& totals, int epoch, int epochs, const std::string& projection) = 0;
  virtual void before_output() = 0;  // the command's output is about to pass through
  virtual void serving_metrics(const ListenAddress& address) = 0;
};

struct MeasureOutcome {
  int64_t run_id = 0;
  int exit_code = 0;  // the command's (128 + signal when killed); 0 for an attached process
  // Set when the command could not be started (exit_code then says why, as a shell would).
  std::optional<std::string> not_started;
  std::string store_name;  // the store, without a password
  // The node monitor's (or a lone run's) summary; a rank of a job has a rank summary instead.
  std::optional<RunSummary> summary;
  std::optional<std::string> summary_error;
  std::optional<std::string> rank_summary;
  // Said after the summary: what the store did not take.
  std::vector<std::string> closing_notices;
};

// Errors are input the session could not use (a store, a sensor, a marker socket); a command that
// fails is an outcome.
Result<MeasureOutcome> run_measure_session(MeasureRequest request, MeasureObserver& observer);

}  // namespace wattcast
