#pragma once
// Kernel ridge regression with an RBF kernel on standardized inputs, as scikit-learn's
// StandardScaler + KernelRidge(kernel="rbf") compute it. Used by the study's PRE model.

#include <functional>

#include <nlohmann/json_fwd.hpp>

#include <Eigen/Dense>

#include "core/result.h"

namespace wattcast {

struct KernelRidgeParams {
  double alpha = 6.64e-4;  // the study's chosen values
  double gamma = 0.0442;
};

class KernelRidge {
 public:
  static KernelRidge fit(const Eigen::MatrixXd& x, const Eigen::VectorXd& y, KernelRidgeParams params);

  double predict(const Eigen::VectorXd& x) const;
  Eigen::VectorXd predict(const Eigen::MatrixXd& x) const;

  const KernelRidgeParams& params() const { return params_; }
  size_t input_dimension() const { return static_cast<size_t>(mean_.size()); }
  nlohmann::json to_json() const;
  static Result<KernelRidge> from_json(const nlohmann::json& json);

 private:
  KernelRidgeParams params_;
  Eigen::VectorXd mean_;
  Eigen::VectorXd scale_;
  Eigen::MatrixXd train_standardized_;  // rows are samples
  Eigen::VectorXd dual_coef_;
};

// Mean and population standard deviation per column; a constant column gets scale 1, as in
// scikit-learn, so it standardizes to zero instead of dividing by zero.
void column_mean_and_scale(const Eigen::MatrixXd& x, Eigen::VectorXd& mean, Eigen::VectorXd& scale);

struct SearchSettings {
  int iterations = 60;
  int folds = 5;
  unsigned seed = 0;
  double exponential_scale = 0.01;  // the study drew alpha and gamma from Exponential(scale 0.01)
  std::function<void(int done, int total)> progress;  // after each candidate, when set
};

// Randomized search over alpha and gamma with k-fold cross-validation, scored by mean R^2 as
// scikit-learn's RandomizedSearchCV does for a regressor.
KernelRidgeParams search_kernel_ridge(const Eigen::MatrixXd& x, const Eigen::VectorXd& y, const SearchSettings& settings);

}  // namespace wattcast
