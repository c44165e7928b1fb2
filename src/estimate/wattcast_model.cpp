#include "estimate/wattcast_model.h"

#include <cmath>
#include <map>

#include <nlohmann/json.hpp>

namespace wattcast {

namespace {

constexpr double kZ90 = 1.6448536269514722;  // two-sided 90% normal quantile

struct ConfigurationMeans {
  std::vector<TrainingConfig> configs;
  std::vector<double> log_power;
  std::vector<double> log_time;
};

// Runs of one configuration differ only by run-to-run noise: fit on their means in log space.
ConfigurationMeans aggregate(const std::vector<MeasuredRun>& runs) {
  std::map<std::string, std::vector<const MeasuredRun*>> groups;
  for (const auto& run : runs) groups[run.configuration_key].push_back(&run);
  ConfigurationMeans means;
  for (const auto& [key, group] : groups) {
    double log_power = 0, log_time = 0;
    for (const MeasuredRun* run : group) {
      log_power += std::log(*run->avg_gpu_power_w);
      log_time += std::log(run->epoch_time_s());
    }
    means.configs.push_back(group.front()->config);
    means.log_power.push_back(log_power / static_cast<double>(group.size()));
    means.log_time.push_back(log_time / static_cast<double>(group.size()));
  }
  return means;
}

Eigen::MatrixXd feature_rows(const std::vector<TrainingConfig>& configs) {
  Eigen::MatrixXd x(static_cast<Eigen::Index>(configs.size()), wattcast_features(configs.front()).size());
  for (size_t i = 0; i < configs.size(); ++i) x.row(static_cast<Eigen::Index>(i)) = wattcast_features(configs[i]).transpose();
  return x;
}

Eigen::VectorXd as_vector(const std::vector<double>& v) { return Eigen::Map<const Eigen::VectorXd>(v.data(), static_cast<Eigen::Index>(v.size())); }

}  // namespace

Eigen::VectorXd wattcast_features(const TrainingConfig& c) {
  const double batches = std::ceil(c.train_samples / c.batch_size) + std::ceil(c.val_samples / c.batch_size);
  Eigen::VectorXd f(7);
  f << std::log(c.gpu.cuda_cores), std::log(c.gpu.tdp_w), std::log(c.gflops), std::log(c.batch_size), std::log(c.input_size),
      std::log(c.gflops * (3.0 * c.train_samples + c.val_samples)), std::log(batches);
  return f;
}

Result<WattcastModel> WattcastModel::fit(const std::vector<MeasuredRun>& runs, const FitOptions& options) {
  const ConfigurationMeans means = aggregate(runs);
  if (means.configs.size() < 3) return Error{"the wattcast model needs runs of at least 3 configurations"};
  const Eigen::MatrixXd x = feature_rows(means.configs);
  GpSettings settings;
  settings.seed = options.seed;
  GaussianProcess power = GaussianProcess::fit(x, as_vector(means.log_power), settings);
  GaussianProcess time = GaussianProcess::fit(x, as_vector(means.log_time), settings);
  return WattcastModel(std::move(power), std::move(time), kZ90, kZ90, FeatureRanges::of(runs));
}

EpochPrediction WattcastModel::predict(const TrainingConfig& config) const {
  const Eigen::VectorXd f = wattcast_features(config);
  const GpPrediction power = log_power_.predict(f);
  const GpPrediction time = log_time_.predict(f);
  EpochPrediction p = from_power_and_time(std::exp(power.mean), std::exp(time.mean));
  p.avg_power_w_90 = Interval{std::exp(power.mean - power_z_ * power.sd), std::exp(power.mean + power_z_ * power.sd)};
  p.epoch_time_s_90 = Interval{std::exp(time.mean - time_z_ * time.sd), std::exp(time.mean + time_z_ * time.sd)};
  // Energy's log is the sum of two dependent logs; bound it by the sum of the spreads.
  const double energy_sd = power_z_ * power.sd + time_z_ * time.sd;
  const double log_energy = power.mean + time.mean;
  p.epoch_energy_j_90 = Interval{std::exp(log_energy - energy_sd), std::exp(log_energy + energy_sd)};
  return p;
}

nlohmann::json WattcastModel::to_json() const {
  return {{"method", name()},          {"format_version", 1},     {"log_power_w", log_power_.to_json()},
          {"log_epoch_time_s", log_time_.to_json()}, {"power_z", power_z_}, {"time_z", time_z_},
          {"feature_ranges", ranges_.to_json()}};
}

Result<WattcastModel> WattcastModel::from_json(const nlohmann::json& json) {
  if (!json.contains("log_power_w") || !json.contains("log_epoch_time_s") || !json.contains("feature_ranges")) {
    return Error{"wattcast model: missing log_power_w, log_epoch_time_s or feature_ranges"};
  }
  auto power = GaussianProcess::from_json(json["log_power_w"]);
  if (!power) return power.error();
  auto time = GaussianProcess::from_json(json["log_epoch_time_s"]);
  if (!time) return time.error();
  auto ranges = FeatureRanges::from_json(json["feature_ranges"]);
  if (!ranges) return ranges.error();
  double power_z = 0, time_z = 0;
  try {
    power_z = json.at("power_z").get<double>();
    time_z = json.at("time_z").get<double>();
  } catch (const std::exception& e) {
    return Error{std::string("wattcast model: ") + e.what()};
  }
  return WattcastModel(std::move(power).value(), std::move(time).value(), power_z, time_z, *ranges);
}

}  // namespace wattcast
