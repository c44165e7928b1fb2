#pragma once
// The range of each input a model was fitted on, so a prediction can say when it extrapolates.

#include <array>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "core/result.h"
#include "estimate/estimator.h"
#include "estimate/measured_run.h"

namespace wattcast {

class FeatureRanges {
 public:
  static FeatureRanges of(const std::vector<MeasuredRun>& runs);

  // Features of the configuration outside [min, max] of the fitted data, with how far.
  std::vector<Extrapolation> outside(const TrainingConfig& config) const;

  nlohmann::json to_json() const;
  static Result<FeatureRanges> from_json(const nlohmann::json& json);

 private:
  std::array<double, kFeatureCount> min_{};
  std::array<double, kFeatureCount> max_{};
};

}  // namespace wattcast
