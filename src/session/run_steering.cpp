#include "session/run_steering.h"

#include <csignal>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/human_numbers.h"

namespace wattcast {

namespace {

Result<std::optional<EnergyBudget>> budget_from(const SteeringOptions& o, const CarbonContext& carbon) {
  const int given = (o.budget_kj ? 1 : 0) + (o.budget_kwh ? 1 : 0) + (o.budget_gco2 ? 1 : 0);
  if (given > 1) return Error{"--budget-kj, --budget-kwh and --budget-gco2: give one"};
  if (o.on_budget != "warn" && o.on_budget != "stop") return Error{"--on-budget: expected warn or stop, got '" + o.on_budget + "'"};
  if (given == 0 && o.on_budget == "stop") return Error{"--on-budget stop: give the budget (--budget-kj, --budget-kwh or --budget-gco2)"};
  if (given == 0) return std::optional<EnergyBudget>();
  for (const auto& [value, flag] : {std::pair{o.budget_kj, "--budget-kj"}, std::pair{o.budget_kwh, "--budget-kwh"}, std::pair{o.budget_gco2, "--budget-gco2"}}) {
    if (value && !(*value > 0)) return Error{std::string(flag) + ": must be positive, got " + plain_number(*value)};
  }
  if (o.budget_kj) return std::optional<EnergyBudget>(EnergyBudget{*o.budget_kj * 1e3, plain_number(*o.budget_kj) + " kJ"});
  if (o.budget_kwh) return std::optional<EnergyBudget>(EnergyBudget{*o.budget_kwh * 3.6e6, plain_number(*o.budget_kwh) + " kWh"});
  if (!(carbon.g_co2e_per_kwh > 0)) return Error{"--budget-gco2: the location's carbon intensity is 0; give an energy budget instead"};
  // The energy whose emissions (x PUE x intensity) reach the budget.
  return std::optional<EnergyBudget>(EnergyBudget{*o.budget_gco2 / (carbon.g_co2e_per_kwh * carbon.pue) * 3.6e6,
                                                 fmt::format("{} gCO2e ({})", plain_number(*o.budget_gco2), carbon.label)});
}

Result<LiveProjector> make_projector(const SteeringOptions& o, const CarbonContext& carbon) {
  if (o.window < 2) return Error{"--window: must be at least 2"};
  if (!(o.stop_grace_s >= 0)) return Error{"--stop-grace-s: must not be negative"};
  if (o.metric_mode != "max" && o.metric_mode != "min") return Error{"--metric-mode: expected max or min, got '" + o.metric_mode + "'"};
  LiveProjectorOptions p;
  p.total_epochs = o.epochs;
  p.detector = o.detector;
  p.projection.window = o.window;
  auto budget = budget_from(o, carbon);
  if (!budget) return budget.error();
  p.budget = *budget;
  if (o.min_gain_per_kj) p.early_stopping = GainPerEnergyRule{o.stop_metric, o.metric_mode == "max", *o.min_gain_per_kj};
  auto projector = LiveProjector::create(p);
  if (!projector) return Error{"--detector: " + projector.error().message};
  return projector;
}

}  // namespace

std::string epoch_report_json(const EpochRecord& epoch, double energy_so_far_j, const std::optional<Projection>& projection,
                              const CarbonContext& carbon) {
  const double g_per_j = carbon.g_co2e_per_kwh * carbon.pue / 3.6e6;
  nlohmann::json report = {{"epoch", epoch.epoch},
                           {"epoch_energy_j", epoch.energy_j},
                           {"epoch_duration_s", epoch.duration_s()},
                           {"epoch_mean_power_w", epoch.mean_power_w()},
                           {"energy_so_far_j", energy_so_far_j},
                           {"co2e_so_far_g", energy_so_far_j * g_per_j}};
  if (projection) {
    report["projected_energy_j"] = projection->energy_j;
    report["projected_low_j"] = projection->low_j;
    report["projected_high_j"] = projection->high_j;
    report["projected_co2e_g"] = projection->energy_j * g_per_j;
    report["total_epochs"] = projection->total_epochs;
  }
  return report.dump();
}

// Epoch times stay on the markers' clock (Unix time): the live projection needs only durations.
Result<RunSteering> RunSteering::create(const SteeringOptions& options, const CarbonContext& carbon, StopChannel channel) {
  auto projector = make_projector(options, carbon);
  if (!projector) return projector.error();
  return RunSteering(options, carbon, std::move(channel), std::move(projector).value());
}

RunSteering::RunSteering(const SteeringOptions& options, const CarbonContext& carbon, StopChannel channel, LiveProjector projector)
    : options_(options), carbon_(carbon), channel_(std::move(channel)), clock_(0), projector_(std::move(projector)) {}

void RunSteering::epoch_begin(int epoch, double t_s, double energy_so_far_j, std::optional<double> trainable_params,
                              std::optional<double> total_params) {
  if (auto done = clock_.begin(epoch, t_s, energy_so_far_j, trainable_params, total_params)) finished(*done, t_s, energy_so_far_j);
}

void RunSteering::epoch_end(int epoch, double t_s, double energy_so_far_j, const std::map<std::string, double>& metrics, bool from_helper) {
  helper_seen_ = helper_seen_ || from_helper;
  // The callbacks look for the stop file right after sending an epoch's end, possibly before
  // this monitor has read that marker and made the file; so training may run one more epoch.
  // An epoch ending after that one means no callback is watching: interrupt the command.
  if (stop_reason_ && !interrupted_at_s_ && projector_.seen().epochs_seen() > epochs_at_stop_) {
    messages_.push_back("the command did not stop at the end of the epoch: sending SIGINT");
    channel_.signal_command(SIGINT);
    interrupted_at_s_ = t_s;
  }
  finished(clock_.end(epoch, t_s, energy_so_far_j, metrics).value(), t_s, energy_so_far_j);
}

void RunSteering::early_stopping_requested(const Marker& marker) {
  helper_seen_ = true;
  projector_.set_early_stopping(GainPerEnergyRule{marker.name, !marker.lower_is_better, marker.min_gain_per_kj.value_or(0)});
  messages_.push_back(fmt::format("energy-aware early stopping asked by the training code: metric {}, stop below {} per kJ",
                                  marker.name.empty() ? "(first reported)" : marker.name, plain_number(marker.min_gain_per_kj.value_or(0))));
}

void RunSteering::finished(const EpochRecord& epoch, double t_s, double energy_so_far_j) {
  const LiveUpdate update = projector_.epoch_finished(epoch);
  if (channel_.publish_epoch_report) {
    channel_.publish_epoch_report(epoch_report_json(epoch, energy_so_far_j, update.projection, carbon_));
  }
  // A phase switch and why the interval is wide are news once, not after every epoch.
  for (const auto& note : update.notes) {
    if (noted_.insert(note).second) messages_.push_back(note);
  }
  record_projection(update, t_s);
  act_on(update, t_s);
}

void RunSteering::act_on(const LiveUpdate& update, double now_s) {
  const bool early_stop = update.gain && update.gain->stop && update.stop_reason == update.gain->reason;
  if (update.stop_reason && !stop_reason_ && (early_stop || options_.on_budget == "stop")) {
    ask_to_stop(*update.stop_reason, now_s);  // says why: no separate warning
    return;
  }
  for (const auto& warning : update.warnings) messages_.push_back("warning: " + warning);
}

void RunSteering::record_projection(const LiveUpdate& update, double t_s) {
  if (update.projection) {
    MarkerRecord m;
    m.t_s = t_s;
    m.type = "projection";
    m.epoch = update.projection->epochs_seen;
    m.name = update.stabilization ? fmt::format("{} from epoch {}", update.stabilization->detector, update.stabilization->epoch) : "";
    m.metrics = {{"energy_j", update.projection->energy_j}, {"low_j", update.projection->low_j}, {"high_j", update.projection->high_j},
                 {"total_epochs", update.projection->total_epochs}};
    m.source = "wattcast";
    markers_.push_back(std::move(m));
  }
}

void RunSteering::ask_to_stop(const std::string& reason, double now_s) {
  stop_reason_ = reason;
  epochs_at_stop_ = projector_.seen().epochs_seen();
  channel_.request_stop();
  MarkerRecord m;
  m.t_s = now_s;
  m.type = "stop_requested";
  m.epoch = epochs_at_stop_;
  m.name = reason;
  m.source = "wattcast";
  markers_.push_back(std::move(m));
  if (helper_seen_) {
    messages_.push_back(reason + ": asking training to stop at the end of this epoch");
  } else {
    messages_.push_back(reason + ": no wattcast callback in the training code, sending SIGINT");
    channel_.signal_command(SIGINT);
    interrupted_at_s_ = now_s;
  }
}

void RunSteering::tick(double now_s, double energy_so_far_j) {
  act_on(projector_.energy_so_far(energy_so_far_j), now_s);
  if (interrupted_at_s_ && !terminated_ && now_s - *interrupted_at_s_ >= options_.stop_grace_s) {
    messages_.push_back(fmt::format("the command ignored SIGINT for {}: sending SIGTERM", human_duration(options_.stop_grace_s)));
    channel_.signal_command(SIGTERM);
    terminated_ = true;
  }
}

std::string RunSteering::live_status() const {
  const auto& p = projector_.latest_projection();
  if (!p) return "";
  return fmt::format("proj {} ({} to {})", human_energy(p->energy_j), human_energy(p->low_j), human_energy(p->high_j));
}

std::vector<std::string> RunSteering::take_messages() { return std::exchange(messages_, {}); }
std::vector<MarkerRecord> RunSteering::take_markers() { return std::exchange(markers_, {}); }

}  // namespace wattcast
