#pragma once
// Gaussian process regression with an ARD squared-exponential kernel and an explicit linear
// mean (Rasmussen & Williams 2006, section 2.7: y = H beta + f(x) + noise, beta with a vague
// prior). The linear mean carries the trend when a configuration lies away from the data; the
// GP corrects it near the data. Hyperparameters maximize the log marginal likelihood.

#include <nlohmann/json_fwd.hpp>

#include <Eigen/Dense>

#include "core/result.h"

namespace wattcast {

struct GpHyperparameters {
  Eigen::VectorXd log_length_scales;  // one per input
  double log_signal_sd = 0;
  double log_noise_sd = 0;
};

struct GpSettings {
  int restarts = 4;  // optimizer starts; the first is a fixed, sensible one
  unsigned seed = 0;
  double min_length_scale = 0.1, max_length_scale = 100;  // in standardized input units
  double min_signal_sd = 1e-3, max_signal_sd = 10;
  double min_noise_sd = 1e-3, max_noise_sd = 1;
};

struct GpPrediction {
  double mean = 0;
  double sd = 0;  // of a new observation: latent variance + noise
};

class GaussianProcess {
 public:
  // x: one row per sample (inputs already transformed; standardized here), y: targets.
  static GaussianProcess fit(const Eigen::MatrixXd& x, const Eigen::VectorXd& y, const GpSettings& settings);

  GpPrediction predict(const Eigen::VectorXd& x) const;
  double log_marginal_likelihood() const { return lml_; }

  nlohmann::json to_json() const;
  static Result<GaussianProcess> from_json(const nlohmann::json& json);

 private:
  void condition(const Eigen::MatrixXd& z, const Eigen::VectorXd& y);

  Eigen::VectorXd mean_, scale_;  // input standardization
  GpHyperparameters theta_;
  Eigen::MatrixXd z_;             // standardized training inputs
  Eigen::VectorXd y_;
  Eigen::MatrixXd k_inverse_;     // (K + noise I)^-1
  Eigen::MatrixXd basis_;         // H = [1, z]
  Eigen::MatrixXd a_inverse_;     // (H^T K^-1 H)^-1
  Eigen::VectorXd beta_;          // generalized least squares mean coefficients
  Eigen::VectorXd weights_;       // K^-1 (y - H beta)
  double lml_ = 0;
};

}  // namespace wattcast
