#include "estimate/roofline_model.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "estimate/conformal_quantile.h"
#include "estimate/nelder_mead.h"
#include "estimate/roofline_inputs.h"

namespace wattcast {

namespace {

constexpr double kCoverage = 0.90;
// 2: memory time from activation and parameter bytes (1 learned a FLOPs-per-byte from GFLOPs).
constexpr int kFormatVersion = 2;
// Dynamic power grows about as the cube of the clock (voltage follows frequency), and throughput
// as the clock: a cap that removes a share of the dynamic power slows the busy part by its cube root.
constexpr double kCapClockExponent = 1.0 / 3.0;

double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }  // compute efficiency in (0, 1)

struct StepTimes {
  double compute_s = 0;
  double memory_s = 0;
  double overhead_s = 0;  // per step: launches, the framework, the input pipeline
  double busy_s() const { return compute_s + memory_s; }
  double total_s() const { return compute_s + memory_s + overhead_s; }
};

// Memory time counts the bytes a step moves (activations of every pass, the parameters at every
// optimizer step) as `wattcast flops` counts them, each at a learned number of passes: what
// FLOPs alone miss (at equal GFLOPs a depthwise network moves 7x the bytes of a ResNet).
// A per-sample overhead (input decoding) was tried as well: fitted, it went to zero.
StepTimes epoch_times(const std::array<double, 5>& t, const TrainingConfig& config, const GpuBounds& b) {
  const EpochWork w = epoch_work(config);
  const double efficiency = sigmoid(t[1]);
  StepTimes s;
  s.compute_s = w.flops / (efficiency * b.peak_flops_per_s);
  s.memory_s = (std::exp(t[2]) * w.activation_bytes + std::exp(t[3]) * w.parameter_bytes * w.optimizer_steps) / b.bandwidth_bytes_per_s;
  s.overhead_s = w.steps * std::exp(t[0]) * std::pow(config.gflops, t[4]);
  return s;
}

std::array<const char*, RooflineModel::kInputCount> kInputNames = {
    "peak_tflops", "memory_bandwidth_gbs", "power_limit_w", "gflops", "activation_bytes_per_flop", "batch_size", "steps_per_epoch"};

std::array<double, RooflineModel::kInputCount> inputs(const TrainingConfig& c) {
  const GpuBounds b = gpu_bounds(c);
  const EpochWork w = epoch_work(c);
  return {b.peak_flops_per_s / 1e12, b.bandwidth_bytes_per_s / 1e9, b.limit_w, c.gflops, w.activation_bytes / w.flops, c.batch_size, w.steps};
}

struct Configuration {
  TrainingConfig config;
  std::string gpu;
  double log_power = 0, log_time = 0, log_energy = 0;  // means over its runs
  std::vector<double> run_log_power, run_log_time, run_log_energy;
};

std::vector<Configuration> group_runs(const std::vector<MeasuredRun>& runs) {
  std::map<std::string, Configuration> groups;
  for (const auto& run : runs) {
    Configuration fresh;
    fresh.config = run.config;
    fresh.gpu = run.config.gpu.name;
    auto [it, inserted] = groups.try_emplace(run.configuration_key, std::move(fresh));
    it->second.run_log_power.push_back(std::log(*run.avg_gpu_power_w));
    it->second.run_log_energy.push_back(std::log(*run.avg_epoch_energy_j));
    it->second.run_log_time.push_back(std::log(run.epoch_time_s()));
  }
  std::vector<Configuration> out;
  for (auto& [key, c] : groups) {
    auto mean = [](const std::vector<double>& v) {
      double sum = 0;
      for (double x : v) sum += x;
      return sum / static_cast<double>(v.size());
    };
    c.log_power = mean(c.run_log_power);
    c.log_time = mean(c.run_log_time);
    c.log_energy = mean(c.run_log_energy);
    out.push_back(std::move(c));
  }
  return out;
}

// Every configuration weighs alike; a faint ridge keeps the exponents finite when the data
// cannot tell them apart (one GPU, one workload).
RooflineParameters fit_parameters(const std::vector<Configuration>& data) {
  RooflineParameters p;
  p.time = {std::log(5e-3), 0.0, std::log(3.0), std::log(4.0), 0.0};
  auto time_loss = [&](const std::vector<double>& x) {
    std::array<double, 5> t;
    std::copy(x.begin(), x.end(), t.begin());
    double sum = 0;
    for (const auto& c : data) {
      const StepTimes s = epoch_times(t, c.config, gpu_bounds(c.config));
      const double r = std::log(s.total_s()) - c.log_time;
      sum += r * r;
    }
    return sum / static_cast<double>(data.size()) + 1e-3 * (t[4] * t[4] + t[1] * t[1] * 0.01);
  };
  const auto time_fit = nelder_mead(time_loss, {p.time.begin(), p.time.end()}, {1.0, 1.0, 1.0, 1.0, 0.3});
  std::copy(time_fit.x.begin(), time_fit.x.end(), p.time.begin());

  p.power = {0.0, 0.0, -2.0};
  auto power_loss = [&](const std::vector<double>& x) {
    RooflineParameters trial = p;
    std::copy(x.begin(), x.end(), trial.power.begin());
    double sum = 0;
    for (const auto& c : data) {
      const double r = std::log(roofline_point(trial, c.config).avg_power_w) - c.log_power;
      sum += r * r;
    }
    return sum / static_cast<double>(data.size());
  };
  const auto power_fit = nelder_mead(power_loss, {p.power.begin(), p.power.end()}, {1.0, 1.0, 1.0});
  std::copy(power_fit.x.begin(), power_fit.x.end(), p.power.begin());
  return p;
}

// The residuals of every run against a model fitted without its GPU: what a user with a GPU the
// data do not hold should expect. With a single GPU there is nothing to hold out, and the
// in-sample residuals, doubled, stand in.
RooflineSpread calibrate(const std::vector<Configuration>& data, const RooflineParameters& all) {
  std::set<std::string> gpus;
  for (const auto& c : data) gpus.insert(c.gpu);
  std::vector<double> power, time, energy;
  auto add = [&](const RooflineParameters& p, const Configuration& c, double scale) {
    const RooflinePoint point = roofline_point(p, c.config);
    const double lp = std::log(point.avg_power_w), lt = std::log(point.epoch_time_s);
    for (size_t r = 0; r < c.run_log_power.size(); ++r) {
      power.push_back(scale * std::abs(c.run_log_power[r] - lp));
      time.push_back(scale * std::abs(c.run_log_time[r] - lt));
      energy.push_back(scale * std::abs(c.run_log_energy[r] - lp - lt));
    }
  };
  if (gpus.size() < 2) {
    for (const auto& c : data) add(all, c, 2.0);
  } else {
    for (const auto& gpu : gpus) {
      std::vector<Configuration> train, test;
      for (const auto& c : data) (c.gpu == gpu ? test : train).push_back(c);
      const RooflineParameters p = fit_parameters(train);
      for (const auto& c : test) add(p, c, 1.0);
    }
  }
  return {conformal_quantile(power, kCoverage), conformal_quantile(time, kCoverage), conformal_quantile(energy, kCoverage)};
}

const char* grade_of(double ratio) {
  if (ratio <= 1.5) return "slightly outside";
  if (ratio <= 3.0) return "outside";
  return "far outside";
}

}  // namespace

RooflinePoint roofline_point(const RooflineParameters& p, const TrainingConfig& config) {
  const GpuBounds b = gpu_bounds(config);
  StepTimes s = epoch_times(p.time, config, b);
  // Dynamic power follows activity: the FLOP rate achieved as a share of the board's highest peak
  // at any precision (its limit is sized for its tensor cores, so FP32 work on an H200 cannot draw
  // 700 W), and the share of the epoch spent moving memory. (The share of time spent computing, at the learned
  // efficiency, put a big GPU running a small job near its limit: H200 +105%.)
  const double flop_activity = epoch_work(config).flops / (s.total_s() * b.board_peak_flops_per_s);
  // Saturating, and zero with no load at all, so power stays in [idle, limit] by construction.
  // Tried and worse: a logistic share (its offset puts a 700 W board waiting on its input
  // pipeline 150 W above idle), watts for waiting that do not scale with the board, and a power
  // law in the FLOP activity (docs/MODEL.md).
  const double load = std::exp(p.power[0]) * flop_activity + std::exp(p.power[1]) * s.memory_s / s.total_s() +
                      std::exp(p.power[2]) * s.overhead_s / s.total_s();
  const double uncapped_w = b.idle_w + (1.0 - std::exp(-load)) * (b.tdp_w - b.idle_w);
  double power_w = uncapped_w;
  if (uncapped_w > b.limit_w) {
    // The cap lowers clocks until the dynamic power fits under it; the busy part slows with them.
    const double slowdown = std::pow((uncapped_w - b.idle_w) / (b.limit_w - b.idle_w), kCapClockExponent);
    s.compute_s *= slowdown;
    s.memory_s *= slowdown;
    power_w = b.limit_w;
  }
  return {power_w, s.total_s()};
}

Result<RooflineModel> RooflineModel::fit(const std::vector<MeasuredRun>& runs, const FitOptions&) {
  const auto data = group_runs(runs);
  if (data.size() < 5) return Error{"the roofline model needs runs of at least 5 configurations"};
  const RooflineParameters parameters = fit_parameters(data);
  std::array<InputRange, kInputCount> ranges;
  for (size_t i = 0; i < kInputCount; ++i) ranges[i] = {kInputNames[i], HUGE_VAL, -HUGE_VAL};
  for (const auto& c : data) {
    const auto x = inputs(c.config);
    for (size_t i = 0; i < kInputCount; ++i) {
      ranges[i].min = std::min(ranges[i].min, x[i]);
      ranges[i].max = std::max(ranges[i].max, x[i]);
    }
  }
  return RooflineModel(parameters, calibrate(data, parameters), ranges);
}

std::vector<Extrapolation> RooflineModel::extrapolation(const TrainingConfig& config) const {
  std::vector<Extrapolation> found;
  const auto x = inputs(config);
  for (size_t i = 0; i < kInputCount; ++i) {
    const auto& r = ranges_[i];
    if (x[i] >= r.min && x[i] <= r.max) continue;
    const double ratio = x[i] > r.max ? x[i] / r.max : r.min / x[i];
    found.push_back({r.name, x[i], r.min, r.max, grade_of(ratio)});
  }
  return found;
}

double RooflineModel::log_distance(const TrainingConfig& config) const {
  double distance = 0;
  for (const auto& e : extrapolation(config)) {
    distance = std::max(distance, std::abs(std::log(e.value > e.fitted_max ? e.value / e.fitted_max : e.fitted_min / e.value)));
  }
  return distance;
}

EpochPrediction RooflineModel::predict(const TrainingConfig& config) const {
  const RooflinePoint point = roofline_point(parameters_, config);
  EpochPrediction p = from_power_and_time(point.avg_power_w, point.epoch_time_s);
  // Outside the data the interval widens with the distance: at twice the fitted range it is
  // 1.69x as wide (1 + ln 2).
  const double widen = 1.0 + log_distance(config);
  const GpuBounds b = gpu_bounds(config);
  auto around = [&](double value, double half) { return Interval{value * std::exp(-half * widen), value * std::exp(half * widen)}; };
  Interval power = around(p.avg_power_w, spread_.power);
  power.lo = std::max(power.lo, b.idle_w);
  power.hi = std::min(power.hi, b.limit_w);
  p.avg_power_w_90 = power;
  p.epoch_time_s_90 = around(p.epoch_time_s, spread_.time);
  p.epoch_energy_j_90 = around(p.epoch_energy_j, spread_.energy);
  return p;
}

nlohmann::json RooflineModel::to_json() const {
  nlohmann::json ranges = nlohmann::json::object();
  for (const auto& r : ranges_) ranges[r.name] = {r.min, r.max};
  return {{"method", name()},
          {"format_version", kFormatVersion},
          {"time_parameters", parameters_.time},
          {"power_parameters", parameters_.power},
          {"log_half_width_90", {{"power", spread_.power}, {"time", spread_.time}, {"energy", spread_.energy}}},
          {"input_ranges", ranges}};
}

Result<RooflineModel> RooflineModel::from_json(const nlohmann::json& json) {
  try {
    if (json.value("format_version", 0) != kFormatVersion) {
      return Error{fmt::format("roofline model of format {} (this wattcast reads {}): refit it with 'wattcast fit --method roofline'",
                               json.value("format_version", 0), kFormatVersion)};
    }
    RooflineParameters p;
    p.time = json.at("time_parameters").get<std::array<double, 5>>();
    p.power = json.at("power_parameters").get<std::array<double, 3>>();
    const auto& w = json.at("log_half_width_90");
    RooflineSpread spread{w.at("power").get<double>(), w.at("time").get<double>(), w.at("energy").get<double>()};
    std::array<InputRange, kInputCount> ranges;
    for (size_t i = 0; i < kInputCount; ++i) {
      const auto pair = json.at("input_ranges").at(kInputNames[i]).get<std::array<double, 2>>();
      ranges[i] = {kInputNames[i], pair[0], pair[1]};
    }
    return RooflineModel(p, spread, ranges);
  } catch (const std::exception& e) {
    return Error{std::string("roofline model: ") + e.what()};
  }
}

}  // namespace wattcast
