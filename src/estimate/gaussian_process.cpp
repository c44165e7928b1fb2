#include "estimate/gaussian_process.h"

#include <cmath>
#include <functional>
#include <limits>
#include <random>

#include <nlohmann/json.hpp>

#include "estimate/json_eigen.h"
#include "estimate/kernel_ridge.h"

namespace wattcast {

namespace {

constexpr double kJitter = 1e-8;
constexpr double kLog2Pi = 1.8378770664093453;

Eigen::MatrixXd with_intercept(const Eigen::MatrixXd& z) {
  Eigen::MatrixXd h(z.rows(), z.cols() + 1);
  h.col(0).setOnes();
  h.rightCols(z.cols()) = z;
  return h;
}

Eigen::MatrixXd ard_kernel(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b, const GpHyperparameters& theta) {
  const Eigen::ArrayXd inverse_length = (-theta.log_length_scales.array()).exp();
  const Eigen::MatrixXd as = a.array().rowwise() * inverse_length.transpose();
  const Eigen::MatrixXd bs = b.array().rowwise() * inverse_length.transpose();
  Eigen::MatrixXd d2 = (-2.0 * as * bs.transpose()).colwise() + as.rowwise().squaredNorm();
  d2.rowwise() += bs.rowwise().squaredNorm().transpose();
  return std::exp(2.0 * theta.log_signal_sd) * (-0.5 * d2.array().max(0.0)).exp();
}

// Parameters packed as [log lengths..., log signal sd, log noise sd] for the optimizer.
Eigen::VectorXd pack(const GpHyperparameters& t) {
  Eigen::VectorXd v(t.log_length_scales.size() + 2);
  v << t.log_length_scales, t.log_signal_sd, t.log_noise_sd;
  return v;
}

GpHyperparameters unpack(const Eigen::VectorXd& v) {
  const Eigen::Index p = v.size() - 2;
  return {v.head(p), v(p), v(p + 1)};
}

// Log marginal likelihood with the mean coefficients integrated out (R&W eq. 2.45, vague prior).
double marginal_likelihood(const Eigen::MatrixXd& z, const Eigen::VectorXd& y, const Eigen::MatrixXd& h,
                               const GpHyperparameters& theta) {
  Eigen::MatrixXd k = ard_kernel(z, z, theta);
  k.diagonal().array() += std::exp(2.0 * theta.log_noise_sd) + kJitter;
  const Eigen::LLT<Eigen::MatrixXd> llt(k);
  if (llt.info() != Eigen::Success) return -std::numeric_limits<double>::infinity();
  const Eigen::MatrixXd k_inv_h = llt.solve(h);
  const Eigen::MatrixXd a = h.transpose() * k_inv_h;
  const Eigen::LLT<Eigen::MatrixXd> a_llt(a);
  if (a_llt.info() != Eigen::Success) return -std::numeric_limits<double>::infinity();
  const Eigen::VectorXd beta = a_llt.solve(k_inv_h.transpose() * y);
  const Eigen::VectorXd r = y - h * beta;
  const double log_det_k = 2.0 * llt.matrixLLT().diagonal().array().log().sum();
  const double log_det_a = 2.0 * a_llt.matrixLLT().diagonal().array().log().sum();
  const double n = static_cast<double>(y.size()), m = static_cast<double>(h.cols());
  return -0.5 * r.dot(llt.solve(r)) - 0.5 * log_det_k - 0.5 * log_det_a - 0.5 * (n - m) * kLog2Pi;
}

// Projected BFGS with central-difference gradients and backtracking. The problem has a dozen
// parameters and a few dozen samples, so numerical gradients cost nothing worth optimizing.
Eigen::VectorXd maximize(const std::function<double(const Eigen::VectorXd&)>& objective, Eigen::VectorXd x,
                         const Eigen::VectorXd& lower, const Eigen::VectorXd& upper, double* best_value) {
  auto clamp = [&](Eigen::VectorXd v) { return v.cwiseMax(lower).cwiseMin(upper).eval(); };
  auto f = [&](const Eigen::VectorXd& v) { return -objective(v); };
  auto gradient = [&](const Eigen::VectorXd& v) {
    Eigen::VectorXd g(v.size());
    constexpr double kStep = 1e-5;
    for (Eigen::Index i = 0; i < v.size(); ++i) {
      Eigen::VectorXd up = v, down = v;
      up(i) += kStep;
      down(i) -= kStep;
      g(i) = (f(up) - f(down)) / (2 * kStep);
    }
    return g;
  };
  x = clamp(x);
  double fx = f(x);
  Eigen::VectorXd g = gradient(x);
  Eigen::MatrixXd inverse_hessian = Eigen::MatrixXd::Identity(x.size(), x.size());
  for (int iteration = 0; iteration < 200 && std::isfinite(fx); ++iteration) {
    Eigen::VectorXd direction = -inverse_hessian * g;
    if (direction.dot(g) >= 0) {
      inverse_hessian.setIdentity();
      direction = -g;
    }
    double step = 1.0;
    Eigen::VectorXd candidate;
    double f_candidate = std::numeric_limits<double>::infinity();
    for (int tries = 0; tries < 30; ++tries, step *= 0.5) {
      candidate = clamp(x + step * direction);
      f_candidate = f(candidate);
      if (f_candidate <= fx + 1e-4 * g.dot(candidate - x)) break;
    }
    if (!(f_candidate < fx)) break;
    const Eigen::VectorXd s = candidate - x;
    const Eigen::VectorXd g_new = gradient(candidate);
    const Eigen::VectorXd yk = g_new - g;
    const double improvement = fx - f_candidate;
    x = candidate;
    fx = f_candidate;
    g = g_new;
    if (improvement < 1e-9 * (1.0 + std::abs(fx)) || s.norm() < 1e-8) break;
    const double sy = s.dot(yk);
    if (sy > 1e-12) {
      const Eigen::MatrixXd identity = Eigen::MatrixXd::Identity(x.size(), x.size());
      const double rho = 1.0 / sy;
      inverse_hessian = (identity - rho * s * yk.transpose()) * inverse_hessian * (identity - rho * yk * s.transpose()) +
                        rho * s * s.transpose();
    }
  }
  *best_value = -fx;
  return x;
}

}  // namespace

GaussianProcess GaussianProcess::fit(const Eigen::MatrixXd& x, const Eigen::VectorXd& y, const GpSettings& settings) {
  GaussianProcess gp;
  column_mean_and_scale(x, gp.mean_, gp.scale_);
  const Eigen::MatrixXd z = (x.rowwise() - gp.mean_.transpose()).array().rowwise() / gp.scale_.transpose().array();
  const Eigen::MatrixXd h = with_intercept(z);
  const Eigen::Index p = x.cols();

  Eigen::VectorXd lower(p + 2), upper(p + 2);
  lower << Eigen::VectorXd::Constant(p, std::log(settings.min_length_scale)), std::log(settings.min_signal_sd), std::log(settings.min_noise_sd);
  upper << Eigen::VectorXd::Constant(p, std::log(settings.max_length_scale)), std::log(settings.max_signal_sd), std::log(settings.max_noise_sd);

  auto objective = [&](const Eigen::VectorXd& v) { return marginal_likelihood(z, y, h, unpack(v)); };
  std::mt19937_64 rng(settings.seed);
  Eigen::VectorXd best;
  double best_value = -std::numeric_limits<double>::infinity();
  for (int start = 0; start < std::max(1, settings.restarts); ++start) {
    Eigen::VectorXd initial(p + 2);
    if (start == 0) {
      initial << Eigen::VectorXd::Constant(p, std::log(3.0)), std::log(0.3), std::log(0.03);
    } else {
      for (Eigen::Index i = 0; i < p + 2; ++i) initial(i) = std::uniform_real_distribution<double>(lower(i), upper(i))(rng);
    }
    double value = 0;
    Eigen::VectorXd found = maximize(objective, initial, lower, upper, &value);
    if (value > best_value) {
      best_value = value;
      best = found;
    }
  }
  gp.theta_ = unpack(best);
  gp.condition(z, y);
  gp.lml_ = best_value;
  return gp;
}

void GaussianProcess::condition(const Eigen::MatrixXd& z, const Eigen::VectorXd& y) {
  z_ = z;
  y_ = y;
  basis_ = with_intercept(z);
  Eigen::MatrixXd k = ard_kernel(z, z, theta_);
  k.diagonal().array() += std::exp(2.0 * theta_.log_noise_sd) + kJitter;
  const Eigen::LLT<Eigen::MatrixXd> llt(k);
  k_inverse_ = llt.solve(Eigen::MatrixXd::Identity(k.rows(), k.cols()));
  const Eigen::MatrixXd a = basis_.transpose() * k_inverse_ * basis_;
  a_inverse_ = a.ldlt().solve(Eigen::MatrixXd::Identity(a.rows(), a.cols()));
  beta_ = a_inverse_ * basis_.transpose() * k_inverse_ * y;
  weights_ = k_inverse_ * (y - basis_ * beta_);
}

GpPrediction GaussianProcess::predict(const Eigen::VectorXd& x) const {
  const Eigen::RowVectorXd z = ((x - mean_).array() / scale_.array()).matrix().transpose();
  const Eigen::VectorXd k_star = ard_kernel(z, z_, theta_).transpose();
  Eigen::VectorXd h_star(z.size() + 1);
  h_star << 1.0, z.transpose();
  const double mean = h_star.dot(beta_) + k_star.dot(weights_);
  const Eigen::VectorXd r = h_star - basis_.transpose() * (k_inverse_ * k_star);
  const double latent = std::exp(2.0 * theta_.log_signal_sd) - k_star.dot(k_inverse_ * k_star) + r.dot(a_inverse_ * r);
  const double variance = std::max(latent, 0.0) + std::exp(2.0 * theta_.log_noise_sd);
  return {mean, std::sqrt(variance)};
}

nlohmann::json GaussianProcess::to_json() const {
  return {{"input_mean", to_json_array(mean_)},
          {"input_scale", to_json_array(scale_)},
          {"log_length_scales", to_json_array(theta_.log_length_scales)},
          {"log_signal_sd", theta_.log_signal_sd},
          {"log_noise_sd", theta_.log_noise_sd},
          {"train_standardized", to_json_rows(z_)},
          {"targets", to_json_array(y_)},
          {"log_marginal_likelihood", lml_}};
}

Result<GaussianProcess> GaussianProcess::from_json(const nlohmann::json& json) {
  GaussianProcess gp;
  Eigen::VectorXd y;
  try {
    gp.mean_ = vector_from_json(json.at("input_mean"));
    gp.scale_ = vector_from_json(json.at("input_scale"));
    gp.theta_.log_length_scales = vector_from_json(json.at("log_length_scales"));
    gp.theta_.log_signal_sd = json.at("log_signal_sd").get<double>();
    gp.theta_.log_noise_sd = json.at("log_noise_sd").get<double>();
    gp.lml_ = json.at("log_marginal_likelihood").get<double>();
    gp.z_ = matrix_from_json(json.at("train_standardized"));
    y = vector_from_json(json.at("targets"));
  } catch (const std::exception& e) {
    return Error{std::string("gaussian process: ") + e.what()};
  }
  const Eigen::Index p = gp.mean_.size();
  if (p == 0 || gp.scale_.size() != p || gp.theta_.log_length_scales.size() != p || gp.z_.cols() != p || gp.z_.rows() != y.size() ||
      y.size() == 0) {
    return Error{"gaussian process: inconsistent dimensions"};
  }
  gp.condition(gp.z_, y);
  return gp;
}

}  // namespace wattcast
