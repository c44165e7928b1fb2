#include "estimate/wattcast_model.h"

#include <algorithm>
#include <cmath>
#include <map>

#include <nlohmann/json.hpp>

#include "estimate/conformal_quantile.h"

namespace wattcast {

namespace {

constexpr double kCoverage = 0.90;

// The model's inputs: logs of physically meaningful quantities of a configuration.
struct Features {
  static constexpr int kCores = 0, kTdp = 1, kGflops = 2, kBatch = 3, kInput = 4, kSamples = 5, kTrainShare = 6,
                       kStepWorkPerCore = 7, kCoreGflopsInteraction = 8, kBatches = 9;
  static constexpr int kCount = 10;
};

Eigen::VectorXd all_features(const TrainingConfig& c) {
  Eigen::VectorXd f(Features::kCount);
  f(Features::kCores) = std::log(c.gpu.cuda_cores);  // throughput class
  f(Features::kTdp) = std::log(c.gpu.tdp_w);         // power class
  f(Features::kGflops) = std::log(c.gflops);         // work per image
  f(Features::kBatch) = std::log(c.batch_size);      // per-step overhead amortized
  f(Features::kInput) = std::log(c.input_size);
  f(Features::kSamples) = std::log(c.train_samples + c.val_samples);
  f(Features::kTrainShare) = std::log(c.train_samples / c.val_samples);  // backward passes vs inference-only
  f(Features::kStepWorkPerCore) = std::log(c.gflops * c.batch_size / c.gpu.cuda_cores);  // compute- vs overhead-bound
  // A weak GPU slows a heavy model more than a light one: the ratio of their epoch times grows as cores shrink.
  f(Features::kCoreGflopsInteraction) = f(Features::kGflops) * f(Features::kCores);
  f(Features::kBatches) = std::log(std::ceil(c.train_samples / c.batch_size) + std::ceil(c.val_samples / c.batch_size));
  return f;
}

// One member of an ensemble: which features it sees, what it predicts, how its GP is set up.
struct MemberSpec {
  std::vector<int> features;
  GpSettings settings;
};

enum class Target { kPower, kEnergy };

// Power is modelled as log(P / TDP), the share of its power class the GPU draws; energy as
// log(E / samples), energy per image, so the dataset size is not something to learn from three
// datasets. (A logit of the share of a 1.2 x TDP ceiling was tried and did worse: docs/MODEL.md.)
double log_scale(Target target, const TrainingConfig& c) {
  return target == Target::kPower ? std::log(c.gpu.tdp_w) : std::log(c.train_samples + c.val_samples);
}

double to_target(Target target, double log_value, const TrainingConfig& c) { return log_value - log_scale(target, c); }

// log of the quantity (W or J) from a target value.
double log_value(Target target, double y, const TrainingConfig& c) { return y + log_scale(target, c); }

std::vector<MemberSpec> build_member_specs(Target target) {
  using F = Features;
  if (target == Target::kPower) {
    // Two views of power averaged: a constant-mean process over the configuration, and a
    // linear-mean one that also sees how a model's cost interacts with the GPU's size, which
    // extrapolates further from the data. The noise floor (5% in log space) stands for what the
    // inputs cannot explain, such as two datasets differing by 10% in power on one GPU at one
    // batch and input size; without it the processes chase those differences.
    GpSettings constant_mean;
    constant_mean.min_noise_sd = 0.05;
    GpSettings linear_mean = constant_mean;
    linear_mean.linear_mean = true;
    return {
        {{F::kCores, F::kTdp, F::kGflops, F::kBatch, F::kInput, F::kSamples, F::kTrainShare}, constant_mean},
        {{F::kCores, F::kTdp, F::kGflops, F::kBatch, F::kInput, F::kBatches, F::kCoreGflopsInteraction}, linear_mean},
    };
  }
  // Energy: one kernel over the GPU, one over the workload, one over both, so a GPU effect learned
  // on one workload carries over to others. The noise floor keeps the process from interpolating
  // configuration means exactly, which would make its held-out residuals (and intervals) optimistic.
  GpSettings additive;
  additive.kernel_groups = {{0, 1}, {2, 3, 4, 5, 6, 7}, {0, 2, 3, 4, 5, 6, 7}};
  additive.min_noise_sd = 0.1;
  return {{{F::kCores, F::kTdp, F::kGflops, F::kBatch, F::kInput, F::kSamples, F::kTrainShare, F::kStepWorkPerCore}, additive}};
}

// Built once: predictions look the layout up on every call.
const std::vector<MemberSpec>& member_specs(Target target) {
  static const std::vector<MemberSpec> power = build_member_specs(Target::kPower);
  static const std::vector<MemberSpec> energy = build_member_specs(Target::kEnergy);
  return target == Target::kPower ? power : energy;
}

Eigen::VectorXd select(const Eigen::VectorXd& all, const std::vector<int>& features) {
  Eigen::VectorXd out(static_cast<Eigen::Index>(features.size()));
  for (size_t i = 0; i < features.size(); ++i) out(static_cast<Eigen::Index>(i)) = all(features[i]);
  return out;
}

struct Configuration {
  TrainingConfig config;
  std::vector<double> log_power;   // every run's
  std::vector<double> log_energy;  // every run's, J
  double mean_log_power() const { return mean(log_power); }
  double mean_log_energy() const { return mean(log_energy); }
  static double mean(const std::vector<double>& v) {
    double sum = 0;
    for (double x : v) sum += x;
    return sum / static_cast<double>(v.size());
  }
};

// Runs of one configuration differ only by run-to-run noise (about 1%): fitting on their means
// weighs every configuration alike and keeps each process at one point per configuration.
std::vector<Configuration> group_runs(const std::vector<MeasuredRun>& runs) {
  std::map<std::string, Configuration> groups;
  for (const auto& run : runs) {
    auto [it, inserted] = groups.try_emplace(run.configuration_key, Configuration{run.config, {}, {}});
    it->second.log_power.push_back(std::log(*run.avg_gpu_power_w));
    it->second.log_energy.push_back(std::log(*run.avg_epoch_energy_j));
  }
  std::vector<Configuration> out;
  for (auto& [key, group] : groups) out.push_back(std::move(group));
  return out;
}

std::vector<GaussianProcess> fit_members(const std::vector<Configuration>& configurations, Target target) {
  std::vector<GaussianProcess> members;
  for (const auto& spec : member_specs(target)) {
    Eigen::MatrixXd x(static_cast<Eigen::Index>(configurations.size()), static_cast<Eigen::Index>(spec.features.size()));
    Eigen::VectorXd y(x.rows());
    for (size_t i = 0; i < configurations.size(); ++i) {
      const auto& c = configurations[i];
      x.row(static_cast<Eigen::Index>(i)) = select(all_features(c.config), spec.features).transpose();
      const double mean_log = target == Target::kPower ? c.mean_log_power() : c.mean_log_energy();
      y(static_cast<Eigen::Index>(i)) = to_target(target, mean_log, c.config);
    }
    members.push_back(GaussianProcess::fit(x, y, spec.settings));
  }
  return members;
}

// An equal-weight mixture of the members: mean of means; variance within plus between.
GpPrediction combine(const std::vector<GpPrediction>& members) {
  double mean = 0, within = 0;
  for (const auto& p : members) {
    mean += p.mean;
    within += p.sd * p.sd;
  }
  const double n = static_cast<double>(members.size());
  mean /= n;
  double between = 0;
  for (const auto& p : members) between += (p.mean - mean) * (p.mean - mean);
  return {mean, std::sqrt(within / n + between / n)};
}

// The prediction in target space (log power share of TDP, log energy per sample).
GpPrediction predict_target(const std::vector<GaussianProcess>& members, Target target, const TrainingConfig& config) {
  const Eigen::VectorXd all = all_features(config);
  const auto& specs = member_specs(target);
  std::vector<GpPrediction> predictions;
  for (size_t m = 0; m < members.size(); ++m) predictions.push_back(members[m].predict(select(all, specs[m].features)));
  return combine(predictions);
}

std::vector<GpPrediction> leave_one_out_target(const std::vector<GaussianProcess>& members, size_t configurations) {
  std::vector<std::vector<GpPrediction>> per_member;
  for (const auto& member : members) per_member.push_back(member.leave_one_out());
  std::vector<GpPrediction> combined;
  for (size_t i = 0; i < configurations; ++i) {
    std::vector<GpPrediction> at_configuration;
    for (const auto& loo : per_member) at_configuration.push_back(loo[i]);
    combined.push_back(combine(at_configuration));
  }
  return combined;
}


// Scores are every training run's residual against its configuration's leave-one-out
// prediction, in predictive standard deviations: intervals are for one new run, noise included.
IntervalCalibration calibrate(const std::vector<GpPrediction>& power, const std::vector<GpPrediction>& energy,
                              const std::vector<Configuration>& configurations) {
  std::vector<double> power_scores, energy_scores;
  for (size_t i = 0; i < configurations.size(); ++i) {
    const auto& c = configurations[i];
    for (size_t r = 0; r < c.log_power.size(); ++r) {
      power_scores.push_back(std::abs(to_target(Target::kPower, c.log_power[r], c.config) - power[i].mean) / power[i].sd);
      energy_scores.push_back(std::abs(to_target(Target::kEnergy, c.log_energy[r], c.config) - energy[i].mean) / energy[i].sd);
    }
  }
  return {conformal_quantile(power_scores, kCoverage), conformal_quantile(energy_scores, kCoverage)};
}

Interval target_interval(Target target, const GpPrediction& p, double z, const TrainingConfig& c) {
  return {std::exp(log_value(target, p.mean - z * p.sd, c)), std::exp(log_value(target, p.mean + z * p.sd, c))};
}

nlohmann::json members_json(const std::vector<GaussianProcess>& members) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& member : members) list.push_back(member.to_json());
  return list;
}

// A model file must match the ensemble layout of this build.
Result<std::vector<GaussianProcess>> members_from_json(const nlohmann::json& json, Target target) {
  const auto& specs = member_specs(target);
  if (!json.is_array() || json.size() != specs.size()) return Error{"wattcast model: made by a different version (ensemble differs)"};
  std::vector<GaussianProcess> members;
  for (size_t m = 0; m < specs.size(); ++m) {
    auto member = GaussianProcess::from_json(json[m]);
    if (!member) return member.error();
    if (member->input_dimension() != specs[m].features.size()) return Error{"wattcast model: made by a different version (features differ)"};
    members.push_back(std::move(member).value());
  }
  return members;
}

}  // namespace

Result<WattcastModel> WattcastModel::fit(const std::vector<MeasuredRun>& runs, const FitOptions&) {
  const auto configurations = group_runs(runs);
  if (configurations.size() < 5) return Error{"the wattcast model needs runs of at least 5 configurations"};
  auto power = fit_members(configurations, Target::kPower);
  auto energy = fit_members(configurations, Target::kEnergy);
  const IntervalCalibration calibration = calibrate(leave_one_out_target(power, configurations.size()),
                                                    leave_one_out_target(energy, configurations.size()), configurations);
  return WattcastModel(std::move(power), std::move(energy), calibration, FeatureRanges::of(runs));
}

EpochPrediction WattcastModel::predict(const TrainingConfig& config) const {
  const GpPrediction power = predict_target(power_, Target::kPower, config);
  const GpPrediction energy = predict_target(energy_, Target::kEnergy, config);
  const double log_power = log_value(Target::kPower, power.mean, config);
  const double log_time = log_value(Target::kEnergy, energy.mean, config) - log_power;
  EpochPrediction p = from_power_and_time(std::exp(log_power), std::exp(log_time));
  p.avg_power_w_90 = target_interval(Target::kPower, power, calibration_.power_z, config);
  p.epoch_energy_j_90 = target_interval(Target::kEnergy, energy, calibration_.energy_z, config);
  // Time = energy / power: the interval that holds whenever both of theirs hold.
  p.epoch_time_s_90 = Interval{p.epoch_energy_j_90->lo / p.avg_power_w_90->hi, p.epoch_energy_j_90->hi / p.avg_power_w_90->lo};
  return p;
}

nlohmann::json WattcastModel::to_json() const {
  return {{"method", name()},
          {"format_version", 1},
          {"log_power_share_of_tdp", members_json(power_)},
          {"log_epoch_energy_j_per_sample", members_json(energy_)},
          {"interval_z", {{"power", calibration_.power_z}, {"energy", calibration_.energy_z}}},
          {"feature_ranges", ranges_.to_json()}};
}

Result<WattcastModel> WattcastModel::from_json(const nlohmann::json& json) {
  if (!json.contains("log_power_share_of_tdp") || !json.contains("log_epoch_energy_j_per_sample") || !json.contains("feature_ranges")) {
    return Error{"wattcast model: missing log_power_share_of_tdp, log_epoch_energy_j_per_sample or feature_ranges"};
  }
  auto power = members_from_json(json["log_power_share_of_tdp"], Target::kPower);
  if (!power) return power.error();
  auto energy = members_from_json(json["log_epoch_energy_j_per_sample"], Target::kEnergy);
  if (!energy) return energy.error();
  auto ranges = FeatureRanges::from_json(json["feature_ranges"]);
  if (!ranges) return ranges.error();
  IntervalCalibration calibration;
  try {
    const auto& z = json.at("interval_z");
    calibration = {z.at("power").get<double>(), z.at("energy").get<double>()};
  } catch (const std::exception& e) {
    return Error{std::string("wattcast model: ") + e.what()};
  }
  return WattcastModel(std::move(power).value(), std::move(energy).value(), calibration, *ranges);
}

}  // namespace wattcast
