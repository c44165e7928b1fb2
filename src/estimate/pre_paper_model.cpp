#include "estimate/pre_paper_model.h"

#include <algorithm>

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
    // Two searches, one after the other: the progress counts both.
    const int total = 2 * options.search_iterations;
    if (options.progress) settings.progress = [&](int done, int) { options.progress(done, total); };
    power_params = search_kernel_ridge(x, power, settings);
    if (options.progress) settings.progress = [&](int done, int) { options.progress(options.search_iterations + done, total); };
    energy_params = search_kernel_ridge(x, energy_kj, settings);
  }
  std::vector<std::array<double, 2>> gpus;
  for (const auto& run : runs) {
    const std::array<double, 2> gpu = {run.config.gpu.cuda_cores, run.config.gpu.tdp_w};
    if (std::find(gpus.begin(), gpus.end(), gpu) == gpus.end()) gpus.push_back(gpu);
  }
  return PrePaperModel(KernelRidge::fit(x, power, power_params), KernelRidge::fit(x, energy_kj, energy_params),
                       FeatureRanges::of(runs), std::move(gpus));
}

std::optional<std::string> PrePaperModel::unusable(const TrainingConfig& config, const EpochPrediction& p) const {
  const std::array<double, 2> gpu = {config.gpu.cuda_cores, config.gpu.tdp_w};
  if (!gpus_.empty() && std::find(gpus_.begin(), gpus_.end(), gpu) == gpus_.end()) {
    return "outside its data: fitted on " + std::to_string(gpus_.size()) + " GPUs, not this one";
  }
  if (!(p.avg_power_w > 0) || !(p.epoch_energy_j > 0) || p.avg_power_w > config.gpu.tdp_w * 1.5) {
    return "outside its data: a non-physical figure";
  }
  return std::nullopt;
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
  p.unusable = unusable(config, p);
  return p;
}

nlohmann::json PrePaperModel::to_json() const {
  return {{"method", name()},
          {"format_version", 1},
          {"power_w", power_.to_json()},
          {"epoch_energy_kj", energy_.to_json()},
          {"feature_ranges", ranges_.to_json()},
          {"fitted_gpus", gpus_}};
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
  std::vector<std::array<double, 2>> gpus;
  if (json.contains("fitted_gpus")) {
    try {
      gpus = json["fitted_gpus"].get<std::vector<std::array<double, 2>>>();
    } catch (const std::exception& e) {
      return Error{std::string("pre-paper model: fitted_gpus: ") + e.what()};
    }
  }
  return PrePaperModel(std::move(power).value(), std::move(energy).value(), *ranges, std::move(gpus));
}

}  // namespace wattcast
