#pragma once
// What `measure` does with the epochs as they finish: project the run's total (STEP), check
// the energy budget and the early-stopping rule, and, when the run should stop, ask the
// command: first through the Python helper's callbacks (the stop file; they stop at the end of
// the epoch), else with SIGINT, then SIGTERM after a grace period.

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "carbon/carbon_catalog.h"
#include "monitor/marker_message.h"
#include "project/epoch_clock.h"
#include "project/live_projector.h"
#include "store/run_store.h"

namespace wattcast {

struct SteeringOptions {
  int epochs = 0;
  std::string detector = "online";
  int window = 5;
  std::optional<double> budget_kj, budget_kwh, budget_gco2;
  std::string on_budget = "warn";  // or "stop"
  std::optional<double> min_gain_per_kj;
  std::string stop_metric;
  std::string metric_mode = "max";
  double stop_grace_s = 30;
};

// How the steering reaches the command.
struct StopChannel {
  std::function<void()> request_stop;  // creates the stop file the helper's callbacks check
  std::function<void(int signal)> signal_command;
  // Hands the helper each finished epoch's energy report (a JSON object); may be empty.
  std::function<void(const std::string& json)> publish_epoch_report;
};

// What the helper's epoch_end() returns and the callbacks log after each epoch: the epoch's
// energy and mean power, the run's energy so far, the projected total with its interval, and the
// CO2e of both at the run's location. SI units; the projection only once there is one.
std::string epoch_report_json(const EpochRecord& epoch, double energy_so_far_j, const std::optional<Projection>& projection,
                              const CarbonContext& carbon);

class RunSteering {
 public:
  // Errors name the flag of a contradictory or invalid option: create it before anything is written.
  static Result<RunSteering> create(const SteeringOptions& options, const CarbonContext& carbon, StopChannel channel);

  // The parameter counts come from the Python helper when it can see the model (the phase signal).
  void epoch_begin(int epoch, double t_s, double energy_so_far_j, std::optional<double> trainable_params = {},
                   std::optional<double> total_params = {});
  void epoch_end(int epoch, double t_s, double energy_so_far_j, const std::map<std::string, double>& metrics, bool from_helper);
  void early_stopping_requested(const Marker& marker);
  // Checks the budget between epochs and escalates a stop request the command has not honoured.
  void tick(double now_s, double energy_so_far_j);

  std::string live_status() const;  // e.g. "proj 123 kJ (118-129)"; empty before a projection
  std::vector<std::string> take_messages();
  std::vector<MarkerRecord> take_markers();  // run_id left for the caller to set
  const std::optional<std::string>& stop_reason() const { return stop_reason_; }
  const std::optional<Projection>& latest_projection() const { return projector_.latest_projection(); }

 private:
  RunSteering(const SteeringOptions& options, const CarbonContext& carbon, StopChannel channel, LiveProjector projector);
  void finished(const EpochRecord& epoch, double t_s, double energy_so_far_j);
  void record_projection(const LiveUpdate& update, double t_s);
  void act_on(const LiveUpdate& update, double now_s);
  void ask_to_stop(const std::string& reason, double now_s);

  SteeringOptions options_;
  CarbonContext carbon_;
  StopChannel channel_;
  EpochClock clock_;
  LiveProjector projector_;
  std::vector<std::string> messages_;
  std::set<std::string> noted_;
  std::vector<MarkerRecord> markers_;
  bool helper_seen_ = false;
  std::optional<std::string> stop_reason_;
  int epochs_at_stop_ = 0;
  std::optional<double> interrupted_at_s_;
  bool terminated_ = false;
};

}  // namespace wattcast
