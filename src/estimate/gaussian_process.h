#pragma once
// Gaussian process regression for small tabular data (tens of points), in the form the
// offline model needs:
//  - a sum of squared-exponential kernels, each with its own length scale per input (ARD) over
//    a group of inputs, so an effect learned on one group can transfer across the others;
//  - a mean that is a constant or linear in the inputs, with a Gaussian prior on its
//    coefficients (Rasmussen & Williams 2006, section 2.7), folded into the covariance: a
//    proper prior keeps the fit well-posed when inputs are collinear or constant;
//  - hyperparameters at the maximum a posteriori: marginal likelihood times log-normal priors
//    on length scales and noise, which keeps them sensible with so few points.

#include <nlohmann/json_fwd.hpp>

#include <vector>

#include <Eigen/Dense>

#include "core/result.h"

namespace wattcast {

struct GpSettings {
  // Input indices of each additive kernel; empty means one kernel over every input.
  std::vector<std::vector<int>> kernel_groups;
  bool linear_mean = false;             // else a constant mean
  double intercept_prior_variance = 100;  // nearly flat; targets are centred first
  double slope_prior_variance = 16;     // per standardized input, linear mean only
  double min_noise_sd = 1e-3, max_noise_sd = 1;
  double min_length_scale = 0.1, max_length_scale = 100;  // in standardized input units
  double min_signal_sd = 1e-3, max_signal_sd = 10;
  // Log-normal priors: centre and standard deviation of the log.
  double length_prior_center = 3, length_prior_log_sd = 2;
  double noise_prior_center = 0.02, noise_prior_log_sd = 2;
  // Optimizer starts: every length scale at one of these, signal sd 0.2.
  std::vector<double> start_length_scales = {3, 1, 10};
};

struct GpPrediction {
  double mean = 0;
  double sd = 0;  // of a new observation: latent variance + noise
};

class GaussianProcess {
 public:
  // x: one row per sample (standardized here), y: targets.
  static GaussianProcess fit(const Eigen::MatrixXd& x, const Eigen::VectorXd& y, const GpSettings& settings);

  GpPrediction predict(const Eigen::VectorXd& x) const;
  // Prediction of every training sample by the process conditioned on all the others, with
  // the same hyperparameters (closed form, R&W eq. 5.12): residuals for calibrating intervals.
  std::vector<GpPrediction> leave_one_out() const;

  const Eigen::VectorXd& targets() const { return y_; }
  size_t input_dimension() const { return static_cast<size_t>(mean_.size()); }
  double log_posterior() const { return log_posterior_; }

  nlohmann::json to_json() const;
  static Result<GaussianProcess> from_json(const nlohmann::json& json);

 private:
  struct Kernel {
    std::vector<int> inputs;
    Eigen::VectorXd log_length_scales;
    double log_signal_sd = 0;
  };

  Eigen::MatrixXd covariance(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b) const;
  void condition(const Eigen::MatrixXd& z, const Eigen::VectorXd& y);

  Eigen::VectorXd mean_, scale_;  // input standardization
  std::vector<Kernel> kernels_;
  double log_noise_sd_ = 0;
  Eigen::VectorXd prior_variances_;  // of the mean's coefficients, intercept first
  Eigen::MatrixXd z_;                // standardized training inputs
  Eigen::VectorXd y_;
  double y_mean_ = 0;
  Eigen::MatrixXd k_inverse_;  // of the full covariance with noise
  Eigen::VectorXd weights_;    // K^-1 (y - y_mean)
  double log_posterior_ = 0;
};

}  // namespace wattcast
