#pragma once
// wattcast's own offline model: Gaussian processes in log space for mean GPU power and mean
// epoch energy (epoch time = energy / power), fitted on per-configuration means, with 90%
// intervals calibrated on the model's own leave-one-configuration-out residuals.
// docs/MODEL.md gives the design, the alternatives tried and the measured accuracy.

#include "estimate/feature_ranges.h"
#include "estimate/fitted_model.h"
#include "estimate/gaussian_process.h"

namespace wattcast {

// How far, in predictive standard deviations, the 90% intervals of power and energy reach on
// each side. Set from the model's own held-out residuals (split-conformal), not assumed normal.
// Epoch time's interval follows from theirs.
struct IntervalCalibration {
  double power_z = 1.6448536269514722;
  double energy_z = 1.6448536269514722;
};

class WattcastModel : public FittedModel {
 public:
  static Result<WattcastModel> fit(const std::vector<MeasuredRun>& runs, const FitOptions& options);
  static Result<WattcastModel> from_json(const nlohmann::json& json);

  std::string name() const override { return "wattcast"; }
  EpochPrediction predict(const TrainingConfig& config) const override;
  // Only inputs the processes use: GPU memory and job RAM are stored in the ranges but not modelled.
  std::vector<Extrapolation> extrapolation(const TrainingConfig& config) const override {
    auto found = ranges_.outside(config);
    std::erase_if(found, [](const Extrapolation& e) { return e.feature == "gpu_memory_gb" || e.feature == "total_ram_gb"; });
    return found;
  }
  nlohmann::json to_json() const override;

 private:
  WattcastModel(std::vector<GaussianProcess> power, std::vector<GaussianProcess> energy, IntervalCalibration calibration,
                FeatureRanges ranges)
      : power_(std::move(power)), energy_(std::move(energy)), calibration_(calibration), ranges_(ranges) {}

  std::vector<GaussianProcess> power_;   // ensemble members for log(power / TDP)
  std::vector<GaussianProcess> energy_;  // ensemble members for log(epoch energy per sample)
  IntervalCalibration calibration_;
  FeatureRanges ranges_;
};

}  // namespace wattcast
