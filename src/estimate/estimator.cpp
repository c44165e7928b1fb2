#include "estimate/estimator.h"

#include <fmt/format.h>

namespace wattcast {

std::string Extrapolation::describe() const {
  const std::string suffix = grade.empty() ? "" : " (" + grade + ")";
  if (value > fitted_max) {
    return fmt::format("{} = {:g} is {:.2f}x the fitted maximum {:g}{}", feature, value, value / fitted_max, fitted_max, suffix);
  }
  return fmt::format("{} = {:g} is {:.2f}x below the fitted minimum {:g}{}", feature, value, fitted_min / value, fitted_min, suffix);
}

EpochPrediction from_power_and_time(double avg_power_w, double epoch_time_s) {
  EpochPrediction p;
  p.avg_power_w = avg_power_w;
  p.epoch_time_s = epoch_time_s;
  p.epoch_energy_j = avg_power_w * epoch_time_s;
  return p;
}

}  // namespace wattcast
