// The pre-paper model must agree with scikit-learn's KernelRidge on the same inputs to 1e-6
// relative. tests/golden/make_krr_golden.py produced the reference with Debian's python3-sklearn.

#include <gtest/gtest.h>

#include <fstream>

#include <nlohmann/json.hpp>

#include "estimate/measured_run.h"
#include "estimate/pre_paper_model.h"
#include "test_paths.h"

namespace wattcast {
namespace {

TEST(KernelRidgeGoldenTest, MatchesScikitLearnToOnePartPerMillion) {
  std::ifstream in(testing::source_dir() + "/tests/golden/krr_sklearn.json");
  ASSERT_TRUE(in.good());
  const nlohmann::json golden = nlohmann::json::parse(in);
  auto runs = load_runs(testing::reference_runs_csv(), Measurements::kRequired);
  ASSERT_TRUE(runs.ok()) << runs.error().message;

  const PrePaperModel model = PrePaperModel::fit(*runs, FitOptions{});
  EXPECT_DOUBLE_EQ(model.power_model().params().alpha, golden["alpha"].get<double>());
  EXPECT_DOUBLE_EQ(model.power_model().params().gamma, golden["gamma"].get<double>());

  const auto queries = golden["queries"].get<std::vector<std::vector<double>>>();
  const auto power = golden["predictions"]["avg_gpu_power_w"].get<std::vector<double>>();
  const auto energy = golden["predictions"]["avg_epoch_energy_kj"].get<std::vector<double>>();
  ASSERT_EQ(queries.size(), power.size());
  for (size_t i = 0; i < queries.size(); ++i) {
    const Eigen::VectorXd x = Eigen::Map<const Eigen::VectorXd>(queries[i].data(), static_cast<Eigen::Index>(queries[i].size()));
    EXPECT_NEAR(model.power_model().predict(x), power[i], 1e-6 * std::abs(power[i])) << "query " << i;
    EXPECT_NEAR(model.energy_model().predict(x), energy[i], 1e-6 * std::abs(energy[i])) << "query " << i;
  }
}

TEST(KernelRidgeTest, RandomizedSearchPicksParametersThatFitBetterThanAPoorChoice) {
  // y = sin(x0) + x1 on a grid: a tiny gamma underfits badly, the search must beat it.
  Eigen::MatrixXd x(60, 2);
  Eigen::VectorXd y(60);
  for (int i = 0; i < 60; ++i) {
    x(i, 0) = 0.1 * i;
    x(i, 1) = (i % 7) * 0.3;
    y(i) = std::sin(x(i, 0)) + x(i, 1);
  }
  SearchSettings settings;
  settings.iterations = 30;
  const KernelRidgeParams found = search_kernel_ridge(x, y, settings);
  auto error_of = [&](KernelRidgeParams p) { return (KernelRidge::fit(x, y, p).predict(x) - y).norm(); };
  EXPECT_LT(error_of(found), error_of({10.0, 1e-6}));
  EXPECT_GT(found.alpha, 0);
  EXPECT_GT(found.gamma, 0);
}

}  // namespace
}  // namespace wattcast
