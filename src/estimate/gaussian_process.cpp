#include "estimate/gaussian_process.h"

#include <cmath>
#include <functional>
#include <limits>

#include <nlohmann/json.hpp>

#include "estimate/json_eigen.h"
#include "estimate/kernel_ridge.h"

namespace wattcast {

namespace {

constexpr double kJitter = 1e-8;
constexpr double kLog2Pi = 1.8378770664093453;

double log_normal_penalty(double log_value, double center, double log_sd) {
  const double d = (log_value - std::log(center)) / log_sd;
  return 0.5 * d * d;
}

// BFGS with central-difference gradients and backtracking, minimizing f within a box. The box
// is mapped onto the whole line (x = lower + (upper - lower) * sigmoid(u)) so the search is
// unconstrained: projecting steps onto the box instead stalls at its faces. The problems here
// have a few dozen parameters and samples, so numerical gradients cost little.
Eigen::VectorXd minimize(const std::function<double(const Eigen::VectorXd&)>& f, const Eigen::VectorXd& start,
                         const Eigen::VectorXd& lower, const Eigen::VectorXd& upper, double* best_value) {
  const Eigen::ArrayXd width = (upper - lower).array();
  auto to_box = [&](const Eigen::VectorXd& u) -> Eigen::VectorXd { return lower.array() + width / (1.0 + (-u.array()).exp()); };
  auto objective = [&](const Eigen::VectorXd& u) { return f(to_box(u)); };
  const Eigen::ArrayXd share = ((start - lower).array() / width).max(1e-6).min(1 - 1e-6);
  Eigen::VectorXd u = (share / (1 - share)).log().matrix();

  auto gradient = [&](const Eigen::VectorXd& v) {
    Eigen::VectorXd g(v.size());
    constexpr double kStep = 1e-5;
    for (Eigen::Index i = 0; i < v.size(); ++i) {
      Eigen::VectorXd up = v, down = v;
      up(i) += kStep;
      down(i) -= kStep;
      g(i) = (objective(up) - objective(down)) / (2 * kStep);
    }
    return g;
  };
  double fu = objective(u);
  Eigen::VectorXd g = gradient(u);
  const Eigen::MatrixXd identity = Eigen::MatrixXd::Identity(u.size(), u.size());
  Eigen::MatrixXd inverse_hessian = identity;
  // A steepest-descent step is capped at length 1 in the unbounded coordinates: a full gradient
  // step would throw every parameter onto the sigmoid's flat tails, where nothing moves again.
  auto steepest = [&](const Eigen::VectorXd& grad) -> Eigen::VectorXd { return -grad / std::max(1.0, grad.lpNorm<Eigen::Infinity>()); };
  bool fresh_curvature = true;
  for (int iteration = 0; iteration < 500 && std::isfinite(fu) && g.norm() > 1e-7; ++iteration) {
    Eigen::VectorXd direction = fresh_curvature ? steepest(g) : Eigen::VectorXd(-inverse_hessian * g);
    if (direction.dot(g) >= 0) {
      inverse_hessian = identity;
      fresh_curvature = true;
      direction = steepest(g);
    }
    double step = 1.0;
    double f_candidate = std::numeric_limits<double>::infinity();
    Eigen::VectorXd candidate = u;
    for (int tries = 0; tries < 40; ++tries, step *= 0.5) {
      candidate = u + step * direction;
      f_candidate = objective(candidate);
      if (f_candidate <= fu + 1e-4 * step * g.dot(direction)) break;
    }
    if (!(f_candidate < fu)) {
      if (fresh_curvature) break;
      inverse_hessian = identity;  // a stale curvature estimate; retry along the gradient
      fresh_curvature = true;
      continue;
    }
    const Eigen::VectorXd s = candidate - u;
    const Eigen::VectorXd g_new = gradient(candidate);
    const Eigen::VectorXd yk = g_new - g;
    const double improvement = fu - f_candidate;
    u = candidate;
    fu = f_candidate;
    g = g_new;
    if (improvement < 1e-12 * (1.0 + std::abs(fu))) break;
    const double sy = s.dot(yk);
    if (sy > 1e-12) {
      // Scale the first curvature estimate to the observed one (Nocedal & Wright eq. 6.20).
      if (fresh_curvature) inverse_hessian = identity * (sy / yk.squaredNorm());
      fresh_curvature = false;
      const double rho = 1.0 / sy;
      inverse_hessian = (identity - rho * s * yk.transpose()) * inverse_hessian * (identity - rho * yk * s.transpose()) +
                        rho * s * s.transpose();
    }
  }
  *best_value = fu;
  return to_box(u);
}

Eigen::MatrixXd squared_exponential(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b, const std::vector<int>& inputs,
                                    const Eigen::VectorXd& log_length_scales, double log_signal_sd) {
  const Eigen::Index d = static_cast<Eigen::Index>(inputs.size());
  Eigen::MatrixXd as(a.rows(), d), bs(b.rows(), d);
  for (Eigen::Index j = 0; j < d; ++j) {
    const double inverse_length = std::exp(-log_length_scales(j));
    as.col(j) = a.col(inputs[static_cast<size_t>(j)]) * inverse_length;
    bs.col(j) = b.col(inputs[static_cast<size_t>(j)]) * inverse_length;
  }
  Eigen::MatrixXd d2 = (-2.0 * as * bs.transpose()).colwise() + as.rowwise().squaredNorm();
  d2.rowwise() += bs.rowwise().squaredNorm().transpose();
  return std::exp(2.0 * log_signal_sd) * (-0.5 * d2.array().max(0.0)).exp();
}

}  // namespace

Eigen::MatrixXd GaussianProcess::covariance(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b) const {
  Eigen::MatrixXd k = Eigen::MatrixXd::Constant(a.rows(), b.rows(), prior_variances_(0));
  if (prior_variances_.size() > 1) k += a * prior_variances_.tail(a.cols()).asDiagonal() * b.transpose();
  for (const auto& kernel : kernels_) k += squared_exponential(a, b, kernel.inputs, kernel.log_length_scales, kernel.log_signal_sd);
  return k;
}

GaussianProcess GaussianProcess::fit(const Eigen::MatrixXd& x, const Eigen::VectorXd& y, const GpSettings& settings) {
  GaussianProcess gp;
  column_mean_and_scale(x, gp.mean_, gp.scale_);
  const Eigen::MatrixXd z = (x.rowwise() - gp.mean_.transpose()).array().rowwise() / gp.scale_.transpose().array();
  const Eigen::Index p = x.cols();
  gp.prior_variances_ = settings.linear_mean ? Eigen::VectorXd::Constant(p + 1, settings.slope_prior_variance) : Eigen::VectorXd(1);
  gp.prior_variances_(0) = settings.intercept_prior_variance;

  std::vector<std::vector<int>> groups = settings.kernel_groups;
  if (groups.empty()) {
    groups.emplace_back();
    for (int j = 0; j < p; ++j) groups.back().push_back(j);
  }
  // Parameters: per kernel its log length scales then its log signal sd; log noise sd last.
  std::vector<double> lower, upper;
  for (const auto& group : groups) {
    gp.kernels_.push_back({group, Eigen::VectorXd::Zero(static_cast<Eigen::Index>(group.size())), 0});
    lower.insert(lower.end(), group.size(), std::log(settings.min_length_scale));
    upper.insert(upper.end(), group.size(), std::log(settings.max_length_scale));
    lower.push_back(std::log(settings.min_signal_sd));
    upper.push_back(std::log(settings.max_signal_sd));
  }
  lower.push_back(std::log(settings.min_noise_sd));
  upper.push_back(std::log(settings.max_noise_sd));
  const Eigen::VectorXd lo = Eigen::Map<Eigen::VectorXd>(lower.data(), static_cast<Eigen::Index>(lower.size()));
  const Eigen::VectorXd hi = Eigen::Map<Eigen::VectorXd>(upper.data(), static_cast<Eigen::Index>(upper.size()));

  auto apply = [](GaussianProcess& target, const Eigen::VectorXd& v) {
    Eigen::Index at = 0;
    for (auto& kernel : target.kernels_) {
      const Eigen::Index d = kernel.log_length_scales.size();
      kernel.log_length_scales = v.segment(at, d);
      kernel.log_signal_sd = v(at + d);
      at += d + 1;
    }
    target.log_noise_sd_ = v(at);
  };
  const Eigen::VectorXd centred = y.array() - y.mean();
  GaussianProcess trial = gp;
  auto negative_log_posterior = [&](const Eigen::VectorXd& v) {
    apply(trial, v);
    Eigen::MatrixXd k = trial.covariance(z, z);
    k.diagonal().array() += std::exp(2.0 * trial.log_noise_sd_) + kJitter;
    const Eigen::LLT<Eigen::MatrixXd> llt(k);
    if (llt.info() != Eigen::Success) return 1e10;
    double penalty = log_normal_penalty(trial.log_noise_sd_, settings.noise_prior_center, settings.noise_prior_log_sd);
    for (const auto& kernel : trial.kernels_) {
      for (Eigen::Index j = 0; j < kernel.log_length_scales.size(); ++j) {
        penalty += log_normal_penalty(kernel.log_length_scales(j), settings.length_prior_center, settings.length_prior_log_sd);
      }
    }
    const double log_det = 2.0 * llt.matrixLLT().diagonal().array().log().sum();
    return 0.5 * centred.dot(llt.solve(centred)) + 0.5 * log_det + 0.5 * static_cast<double>(y.size()) * kLog2Pi + penalty;
  };

  Eigen::VectorXd best;
  double best_value = std::numeric_limits<double>::infinity();
  for (double start_length : settings.start_length_scales) {
    Eigen::VectorXd initial(lo.size());
    Eigen::Index at = 0;
    for (const auto& group : groups) {
      initial.segment(at, static_cast<Eigen::Index>(group.size())).setConstant(std::log(start_length));
      at += static_cast<Eigen::Index>(group.size());
      initial(at++) = std::log(0.2);
    }
    initial(at) = std::log(std::max(0.03, 1.5 * settings.min_noise_sd));
    double value = 0;
    const Eigen::VectorXd found = minimize(negative_log_posterior, initial, lo, hi, &value);
    if (best.size() == 0 || value < best_value) {
      best_value = value;
      best = found;
    }
  }
  apply(gp, best);
  gp.log_posterior_ = -best_value;
  gp.condition(z, y);
  return gp;
}

void GaussianProcess::condition(const Eigen::MatrixXd& z, const Eigen::VectorXd& y) {
  z_ = z;
  y_ = y;
  y_mean_ = y.mean();
  Eigen::MatrixXd k = covariance(z, z);
  k.diagonal().array() += std::exp(2.0 * log_noise_sd_) + kJitter;
  k_inverse_ = k.llt().solve(Eigen::MatrixXd::Identity(k.rows(), k.cols()));
  weights_ = k_inverse_ * (y.array() - y_mean_).matrix();
}

GpPrediction GaussianProcess::predict(const Eigen::VectorXd& x) const {
  const Eigen::RowVectorXd z = ((x - mean_).array() / scale_.array()).matrix().transpose();
  const Eigen::VectorXd k_star = covariance(z, z_).transpose();
  const double prior = covariance(z, z)(0, 0);
  const double mean = y_mean_ + k_star.dot(weights_);
  const double latent = prior - k_star.dot(k_inverse_ * k_star);
  const double variance = std::max(latent, 0.0) + std::exp(2.0 * log_noise_sd_);
  return {mean, std::sqrt(variance)};
}

std::vector<GpPrediction> GaussianProcess::leave_one_out() const {
  std::vector<GpPrediction> predictions;
  for (Eigen::Index i = 0; i < y_.size(); ++i) {
    const double variance = 1.0 / k_inverse_(i, i);
    predictions.push_back({y_(i) - weights_(i) * variance, std::sqrt(variance)});
  }
  return predictions;
}

nlohmann::json GaussianProcess::to_json() const {
  nlohmann::json kernels = nlohmann::json::array();
  for (const auto& kernel : kernels_) {
    kernels.push_back({{"inputs", kernel.inputs},
                       {"log_length_scales", to_json_array(kernel.log_length_scales)},
                       {"log_signal_sd", kernel.log_signal_sd}});
  }
  return {{"input_mean", to_json_array(mean_)},
          {"input_scale", to_json_array(scale_)},
          {"kernels", kernels},
          {"log_noise_sd", log_noise_sd_},
          {"mean_prior_variances", to_json_array(prior_variances_)},
          {"train_standardized", to_json_rows(z_)},
          {"targets", to_json_array(y_)},
          {"log_posterior", log_posterior_}};
}

Result<GaussianProcess> GaussianProcess::from_json(const nlohmann::json& json) {
  GaussianProcess gp;
  Eigen::VectorXd y;
  try {
    gp.mean_ = vector_from_json(json.at("input_mean"));
    gp.scale_ = vector_from_json(json.at("input_scale"));
    for (const auto& kernel : json.at("kernels")) {
      gp.kernels_.push_back({kernel.at("inputs").get<std::vector<int>>(), vector_from_json(kernel.at("log_length_scales")),
                             kernel.at("log_signal_sd").get<double>()});
    }
    gp.log_noise_sd_ = json.at("log_noise_sd").get<double>();
    gp.prior_variances_ = vector_from_json(json.at("mean_prior_variances"));
    gp.log_posterior_ = json.at("log_posterior").get<double>();
    gp.z_ = matrix_from_json(json.at("train_standardized"));
    y = vector_from_json(json.at("targets"));
  } catch (const std::exception& e) {
    return Error{std::string("gaussian process: ") + e.what()};
  }
  const Eigen::Index p = gp.mean_.size();
  bool consistent = p > 0 && gp.scale_.size() == p && gp.z_.cols() == p && gp.z_.rows() == y.size() && y.size() > 0 &&
                    (gp.prior_variances_.size() == 1 || gp.prior_variances_.size() == p + 1) && !gp.kernels_.empty();
  for (const auto& kernel : gp.kernels_) {
    consistent = consistent && static_cast<Eigen::Index>(kernel.inputs.size()) == kernel.log_length_scales.size();
    for (int input : kernel.inputs) consistent = consistent && input >= 0 && input < p;
  }
  if (!consistent) return Error{"gaussian process: inconsistent dimensions"};
  gp.condition(gp.z_, y);
  return gp;
}

}  // namespace wattcast
