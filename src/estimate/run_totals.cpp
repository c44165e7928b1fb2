#include "estimate/run_totals.h"

namespace wattcast {

namespace {

constexpr double kJoulesPerKwh = 3.6e6;

std::optional<Interval> scaled(const std::optional<Interval>& interval, double factor) {
  if (!interval) return std::nullopt;
  return Interval{interval->lo * factor, interval->hi * factor};
}

}  // namespace

RunEstimate run_totals(const Estimator& method, const TrainingConfig& config, const CarbonContext& carbon) {
  const EpochPrediction epoch = method.predict(config);
  const double n = config.gpu_count;
  const double energy_factor = config.epochs * carbon.pue;  // per-epoch device energy -> run at the meter
  const double co2_factor = energy_factor * carbon.g_co2e_per_kwh / kJoulesPerKwh;

  RunEstimate run;
  run.method = method.name();
  run.avg_power_w = epoch.avg_power_w * n;
  run.epoch_time_s = epoch.epoch_time_s / n;
  run.duration_s = run.epoch_time_s * config.epochs;
  run.energy_j = epoch.epoch_energy_j * energy_factor;
  run.co2e_g = epoch.epoch_energy_j * co2_factor;
  run.avg_power_w_90 = scaled(epoch.avg_power_w_90, n);
  run.epoch_time_s_90 = scaled(epoch.epoch_time_s_90, 1.0 / n);
  run.duration_s_90 = scaled(epoch.epoch_time_s_90, config.epochs / n);
  run.energy_j_90 = scaled(epoch.epoch_energy_j_90, energy_factor);
  run.co2e_g_90 = scaled(epoch.epoch_energy_j_90, co2_factor);
  run.extrapolation = method.extrapolation(config);
  run.unusable = epoch.unusable;
  return run;
}

}  // namespace wattcast
