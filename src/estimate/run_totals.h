#pragma once
// From one method's per-GPU epoch prediction to the whole run: n GPUs, all epochs, facility
// overhead (PUE) and grid carbon intensity.

#include <optional>
#include <string>
#include <vector>

#include "carbon/carbon_catalog.h"
#include "estimate/estimator.h"

namespace wattcast {

struct RunEstimate {
  std::string method;
  double avg_power_w = 0;   // all GPUs together
  double epoch_time_s = 0;  // wall-clock per epoch
  double duration_s = 0;
  double energy_j = 0;  // at the facility meter: device energy x PUE
  double co2e_g = 0;
  std::optional<Interval> avg_power_w_90, epoch_time_s_90, duration_s_90, energy_j_90, co2e_g_90;
  std::vector<Extrapolation> extrapolation;
  std::optional<std::string> unusable;  // the method cannot speak for this configuration
};

// n GPUs train data-parallel with the same per-GPU batch: each handles 1/n of the samples, so
// the epoch takes 1/n of the time at n times the power (ideal scaling; real scaling is worse,
// so multi-GPU durations are optimistic).
RunEstimate run_totals(const Estimator& method, const TrainingConfig& config, const CarbonContext& carbon);

}  // namespace wattcast
