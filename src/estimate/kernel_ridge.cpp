#include "estimate/kernel_ridge.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

#include <nlohmann/json.hpp>

#include "estimate/json_eigen.h"

namespace wattcast {

void column_mean_and_scale(const Eigen::MatrixXd& x, Eigen::VectorXd& mean, Eigen::VectorXd& scale) {
  mean = x.colwise().mean().transpose();
  scale.resize(x.cols());
  for (Eigen::Index j = 0; j < x.cols(); ++j) {
    const double variance = (x.col(j).array() - mean(j)).square().mean();
    const double sd = std::sqrt(variance);
    scale(j) = sd > 0 ? sd : 1.0;
  }
}

namespace {

Eigen::MatrixXd standardize(const Eigen::MatrixXd& x, const Eigen::VectorXd& mean, const Eigen::VectorXd& scale) {
  return (x.rowwise() - mean.transpose()).array().rowwise() / scale.transpose().array();
}

Eigen::MatrixXd rbf_kernel(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b, double gamma) {
  const Eigen::VectorXd a_norms = a.rowwise().squaredNorm();
  const Eigen::VectorXd b_norms = b.rowwise().squaredNorm();
  Eigen::MatrixXd distances = (-2.0 * a * b.transpose()).colwise() + a_norms;
  distances.rowwise() += b_norms.transpose();
  return (-gamma * distances.array().max(0.0)).exp();
}

}  // namespace

KernelRidge KernelRidge::fit(const Eigen::MatrixXd& x, const Eigen::VectorXd& y, KernelRidgeParams params) {
  KernelRidge model;
  model.params_ = params;
  column_mean_and_scale(x, model.mean_, model.scale_);
  model.train_standardized_ = standardize(x, model.mean_, model.scale_);
  Eigen::MatrixXd k = rbf_kernel(model.train_standardized_, model.train_standardized_, params.gamma);
  k.diagonal().array() += params.alpha;
  model.dual_coef_ = k.llt().solve(y);
  return model;
}

Eigen::VectorXd KernelRidge::predict(const Eigen::MatrixXd& x) const {
  return rbf_kernel(standardize(x, mean_, scale_), train_standardized_, params_.gamma) * dual_coef_;
}

double KernelRidge::predict(const Eigen::VectorXd& x) const {
  Eigen::MatrixXd row = x.transpose();
  return predict(row)(0);
}

nlohmann::json KernelRidge::to_json() const {
  return {{"alpha", params_.alpha},
          {"gamma", params_.gamma},
          {"mean", to_json_array(mean_)},
          {"scale", to_json_array(scale_)},
          {"train_standardized", to_json_rows(train_standardized_)},
          {"dual_coef", to_json_array(dual_coef_)}};
}

Result<KernelRidge> KernelRidge::from_json(const nlohmann::json& json) {
  KernelRidge model;
  try {
    model.params_.alpha = json.at("alpha").get<double>();
    model.params_.gamma = json.at("gamma").get<double>();
    model.mean_ = vector_from_json(json.at("mean"));
    model.scale_ = vector_from_json(json.at("scale"));
    model.train_standardized_ = matrix_from_json(json.at("train_standardized"));
    model.dual_coef_ = vector_from_json(json.at("dual_coef"));
  } catch (const std::exception& e) {
    return Error{std::string("kernel ridge model: ") + e.what()};
  }
  if (model.mean_.size() != model.train_standardized_.cols() || model.scale_.size() != model.mean_.size() ||
      model.dual_coef_.size() != model.train_standardized_.rows()) {
    return Error{"kernel ridge model: inconsistent dimensions"};
  }
  return model;
}

KernelRidgeParams search_kernel_ridge(const Eigen::MatrixXd& x, const Eigen::VectorXd& y, const SearchSettings& settings) {
  const Eigen::Index n = x.rows();
  std::mt19937_64 rng(settings.seed);
  std::vector<Eigen::Index> order(static_cast<size_t>(n));
  std::iota(order.begin(), order.end(), 0);
  std::shuffle(order.begin(), order.end(), rng);
  std::exponential_distribution<double> draw(1.0 / settings.exponential_scale);

  KernelRidgeParams best;
  double best_score = -std::numeric_limits<double>::infinity();
  for (int iteration = 0; iteration < settings.iterations; ++iteration) {
    KernelRidgeParams candidate{draw(rng), draw(rng)};
    double score_sum = 0;
    for (int fold = 0; fold < settings.folds; ++fold) {
      std::vector<Eigen::Index> train, test;
      for (Eigen::Index i = 0; i < n; ++i) (i % settings.folds == fold ? test : train).push_back(order[static_cast<size_t>(i)]);
      const KernelRidge model = KernelRidge::fit(x(train, Eigen::all), y(train), candidate);
      const Eigen::VectorXd predicted = model.predict(Eigen::MatrixXd(x(test, Eigen::all)));
      const Eigen::VectorXd actual = y(test);
      const double residual = (actual - predicted).squaredNorm();
      const double total = (actual.array() - actual.mean()).square().sum();
      score_sum += total > 0 ? 1.0 - residual / total : 0.0;
    }
    const double score = score_sum / settings.folds;
    if (score > best_score) {
      best_score = score;
      best = candidate;
    }
    if (settings.progress) settings.progress(iteration + 1, settings.iterations);
  }
  return best;
}

}  // namespace wattcast
