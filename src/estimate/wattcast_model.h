#pragma once
// wattcast's own offline model. See docs/MODEL.md for the design and its measured accuracy.

#include "estimate/feature_ranges.h"
#include "estimate/fitted_model.h"
#include "estimate/gaussian_process.h"

namespace wattcast {

class WattcastModel : public FittedModel {
 public:
  static Result<WattcastModel> fit(const std::vector<MeasuredRun>& runs, const FitOptions& options);
  static Result<WattcastModel> from_json(const nlohmann::json& json);

  std::string name() const override { return "wattcast"; }
  EpochPrediction predict(const TrainingConfig& config) const override;
  std::vector<Extrapolation> extrapolation(const TrainingConfig& config) const override { return ranges_.outside(config); }
  nlohmann::json to_json() const override;

 private:
  WattcastModel(GaussianProcess log_power, GaussianProcess log_time, double power_z, double time_z, FeatureRanges ranges)
      : log_power_(std::move(log_power)), log_time_(std::move(log_time)), power_z_(power_z), time_z_(time_z), ranges_(ranges) {}

  GaussianProcess log_power_;  // log W
  GaussianProcess log_time_;   // log s per epoch
  double power_z_;             // half-width of the 90% interval in predictive standard deviations
  double time_z_;
  FeatureRanges ranges_;
};

// The model's inputs: logs of the configuration's physically meaningful quantities.
Eigen::VectorXd wattcast_features(const TrainingConfig& config);

}  // namespace wattcast
