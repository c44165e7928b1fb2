#include "estimate/pre_paper_model.h"

#include <nlohmann/json.hpp>

namespace wattcast {

Eigen::MatrixXd feature_matrix(const std::vector<MeasuredRun>& runs) {
  Eigen::MatrixXd x(static_cast<Eigen::Index>(runs.size()), static_cast<Eigen::Index>(kFeatureCount));
  for (size_t i = 0; i < runs.size(); ++i) {
    const auto features = feature_vector(runs[i].config);
    for (size_t j = 0; j < kFeatureCount; ++j) x(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) = features[j];
  }
  return x;
}

PrePaperModel PrePaperModel::fit(const std::vector<MeasuredRun>& runs, const FitOptions& options) {
  const Eigen::MatrixXd x = feature_matrix(runs);
  Eigen::VectorXd power(x.rows()), energy_kj(x.rows());
  for (size_t i = 0; i < runs.size(); ++i) {
    power(static_cast<Eigen::Index>(i)) = *runs[i].avg_gpu_power_w;
    energy_kj(static_cast<Eigen::Index>(i)) = *runs[i].avg_epoch_energy_j / 1000.0;
  }
  KernelRidgeParams power_params, energy_params;
  if (options.search_hyperparameters) {
    SearchSettings settings;
    settings.iterations = options.search_iterations;
    settings.seed = options.seed;
    power_params = search_kernel_ridge(x, power, settings);
    energy_params = search_kernel_ridge(x, energy_kj, settings);
  }
  return PrePaperModel(KernelRidge::fit(x, power, power_params), KernelRidge::fit(x, energy_kj, energy_params),
                       FeatureRanges::of(runs));
}

EpochPrediction PrePaperModel::predict(const TrainingConfig& config) const {
  const auto features = feature_vector(config);
  const Eigen::VectorXd x = Eigen::Map<const Eigen::VectorXd>(features.data(), kFeatureCount);
  // Reproduced faithfully, negative figures included: an RBF model decays to zero far from its
  // data and can cross it, which is part of why it fails on new configurations. The
  // extrapolation flag tells the user why.
  EpochPrediction p;
  p.avg_power_w = power_.predict(x);
  p.epoch_energy_j = energy_.predict(x) * 1000.0;
  p.epoch_time_s = p.epoch_energy_j / p.avg_power_w;
  return p;
}

nlohmann::json PrePaperModel::to_json() const {
  return {{"method", name()},
          {"format_version", 1},
          {"power_w", power_.to_json()},
          {"epoch_energy_kj", energy_.to_json()},
          {"feature_ranges", ranges_.to_json()}};
}

Result<PrePaperModel> PrePaperModel::from_json(const nlohmann::json& json) {
  if (!json.contains("power_w") || !json.contains("epoch_energy_kj") || !json.contains("feature_ranges")) {
    return Error{"pre-paper model: missing power_w, epoch_energy_kj or feature_ranges"};
  }
  auto power = KernelRidge::from_json(json["power_w"]);
  if (!power) return power.error();
  auto energy = KernelRidge::from_json(json["epoch_energy_kj"]);
  if (!energy) return energy.error();
  auto ranges = FeatureRanges::from_json(json["feature_ranges"]);
  if (!ranges) return ranges.error();
  if (power->input_dimension() != kFeatureCount || energy->input_dimension() != kFeatureCount) {
    return Error{"pre-paper model: expected " + std::to_string(kFeatureCount) + " inputs"};
  }
  return PrePaperModel(std::move(power).value(), std::move(energy).value(), *ranges);
}

}  // namespace wattcast
