#pragma once
// Every estimation method answers the same question: for one GPU and one epoch of this
// configuration, what mean power, epoch time and epoch energy should we expect?

#include <optional>
#include <string>
#include <vector>

#include "estimate/training_config.h"

namespace wattcast {

struct Interval {
  double lo = 0;
  double hi = 0;
};

struct EpochPrediction {
  double avg_power_w = 0;
  double epoch_time_s = 0;
  double epoch_energy_j = 0;
  // 90% prediction intervals, for methods that can give one.
  std::optional<Interval> avg_power_w_90;
  std::optional<Interval> epoch_time_s_90;
  std::optional<Interval> epoch_energy_j_90;
  // Set when the method cannot be trusted for this configuration at all (the study's kernel
  // ridge off its three GPUs): the figures are kept for scoring but never shown as an estimate.
  std::optional<std::string> unusable;
};

// One feature of the configuration that lies outside the data a model was fitted on.
struct Extrapolation {
  std::string feature;
  double value = 0;
  double fitted_min = 0;
  double fitted_max = 0;
  // "slightly outside", "outside" or "far outside" (models that grade; empty otherwise).
  std::string grade;
  std::string describe() const;  // "gpu_cuda_cores = 16896 is 1.61x the fitted maximum 10496"
};

class Estimator {
 public:
  virtual ~Estimator() = default;
  virtual std::string name() const = 0;
  virtual EpochPrediction predict(const TrainingConfig& config) const = 0;
  // Features outside the fitted range; empty for methods that are not fitted to data.
  virtual std::vector<Extrapolation> extrapolation(const TrainingConfig&) const { return {}; }
};

// Derives the third quantity so that energy = power x time holds exactly.
EpochPrediction from_power_and_time(double avg_power_w, double epoch_time_s);

}  // namespace wattcast
