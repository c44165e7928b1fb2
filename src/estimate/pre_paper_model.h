#pragma once
// The study's PRE estimator (paper-notes, "PRE"): two kernel ridge regressors on the nine
// standardized inputs, one for mean GPU power (W) and one for mean epoch energy (kJ).

#include "estimate/feature_ranges.h"
#include "estimate/fitted_model.h"
#include "estimate/kernel_ridge.h"

namespace wattcast {

class PrePaperModel : public FittedModel {
 public:
  static PrePaperModel fit(const std::vector<MeasuredRun>& runs, const FitOptions& options);
  static Result<PrePaperModel> from_json(const nlohmann::json& json);

  std::string name() const override { return "pre-paper"; }
  EpochPrediction predict(const TrainingConfig& config) const override;
  std::vector<Extrapolation> extrapolation(const TrainingConfig& config) const override { return ranges_.outside(config); }
  nlohmann::json to_json() const override;

  const KernelRidge& power_model() const { return power_; }
  const KernelRidge& energy_model() const { return energy_; }

 private:
  PrePaperModel(KernelRidge power, KernelRidge energy, FeatureRanges ranges, std::vector<std::array<double, 2>> gpus)
      : power_(std::move(power)), energy_(std::move(energy)), ranges_(ranges), gpus_(std::move(gpus)) {}

  // Why this configuration is off the model's data, if it is: an RBF model fitted on three GPUs
  // decays towards zero elsewhere (negative watts, 1e-306 W); no figure of it means anything there.
  std::optional<std::string> unusable(const TrainingConfig& config, const EpochPrediction& p) const;

  KernelRidge power_;   // W
  KernelRidge energy_;  // kJ per epoch, the study's unit
  FeatureRanges ranges_;
  // (CUDA cores, TDP) of each GPU it was fitted on; empty in model files from before they were kept.
  std::vector<std::array<double, 2>> gpus_;
};

// The nine inputs of each run as rows of a matrix.
Eigen::MatrixXd feature_matrix(const std::vector<MeasuredRun>& runs);

}  // namespace wattcast
