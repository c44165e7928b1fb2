#include "estimate/estimator.h"

#include <fmt/format.h>

#include "core/human_numbers.h"

namespace wattcast {

std::string Extrapolation::describe() const {
  const std::string suffix = grade.empty() ? "" : " (" + grade + ")";
  if (value > fitted_max) {
    return fmt::format("{} = {} is {:.2f}x the fitted maximum {}{}", feature, plain_number(value), value / fitted_max, plain_number(fitted_max), suffix);
  }
  return fmt::format("{} = {} is {:.2f}x below the fitted minimum {}{}", feature, plain_number(value), fitted_min / value, plain_number(fitted_min), suffix);
}

EpochPrediction from_power_and_time(double avg_power_w, double epoch_time_s) {
  EpochPrediction p;
  p.avg_power_w = avg_power_w;
  p.epoch_time_s = epoch_time_s;
  p.epoch_energy_j = avg_power_w * epoch_time_s;
  return p;
}

}  // namespace wattcast
