#include "estimate/gaussian_process.h"

#include <gtest/gtest.h>

#include <random>

#include <nlohmann/json.hpp>

namespace wattcast {
namespace {

struct Sample {
  Eigen::MatrixXd x;
  Eigen::VectorXd y;
};

Sample smooth_function(int n, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> u(-2, 2);
  Sample s{Eigen::MatrixXd(n, 2), Eigen::VectorXd(n)};
  for (int i = 0; i < n; ++i) {
    s.x(i, 0) = u(rng);
    s.x(i, 1) = u(rng);
    s.y(i) = 1.5 * s.x(i, 0) + std::sin(2 * s.x(i, 1));
  }
  return s;
}

TEST(GaussianProcessTest, InterpolatesASmoothFunction) {
  const Sample train = smooth_function(40, 1);
  const GaussianProcess gp = GaussianProcess::fit(train.x, train.y, GpSettings{});
  const Sample test = smooth_function(20, 2);
  double worst = 0;
  for (int i = 0; i < 20; ++i) worst = std::max(worst, std::abs(gp.predict(test.x.row(i).transpose()).mean - test.y(i)));
  EXPECT_LT(worst, 0.15);
}

TEST(GaussianProcessTest, UncertaintyGrowsAwayFromTheData) {
  const Sample train = smooth_function(40, 3);
  const GaussianProcess gp = GaussianProcess::fit(train.x, train.y, GpSettings{});
  const double near = gp.predict(Eigen::Vector2d(0.1, 0.1)).sd;
  const double far = gp.predict(Eigen::Vector2d(8, -8)).sd;
  EXPECT_GT(far, 3 * near);
}

TEST(GaussianProcessTest, LinearMeanExtrapolatesTheTrend) {
  Eigen::MatrixXd x(20, 1);
  Eigen::VectorXd y(20);
  for (int i = 0; i < 20; ++i) {
    x(i, 0) = i;
    y(i) = 2.0 * i + 1.0;
  }
  GpSettings settings;
  settings.linear_mean = true;
  const GaussianProcess gp = GaussianProcess::fit(x, y, settings);
  EXPECT_NEAR(gp.predict(Eigen::VectorXd::Constant(1, 40.0)).mean, 81.0, 0.5);
}

TEST(GaussianProcessTest, AdditiveKernelsAndConstantInputsStayWellPosed) {
  // A constant input (every run on one GPU, say) and a duplicated one must not break the fit.
  Sample s = smooth_function(30, 6);
  Eigen::MatrixXd x(30, 4);
  x << s.x, Eigen::VectorXd::Constant(30, 5.0), s.x.col(0);
  GpSettings settings;
  settings.linear_mean = true;
  settings.kernel_groups = {{0, 2}, {1, 3}};
  const GaussianProcess gp = GaussianProcess::fit(x, s.y, settings);
  const Eigen::Vector4d probe(0.5, 0.5, 5.0, 0.5);
  EXPECT_TRUE(std::isfinite(gp.predict(probe).mean));
  EXPECT_NEAR(gp.predict(probe).mean, 1.5 * 0.5 + std::sin(1.0), 0.3);
}

TEST(GaussianProcessTest, LeaveOneOutMatchesRefittingWithoutThePoint) {
  const Sample s = smooth_function(25, 7);
  const GaussianProcess gp = GaussianProcess::fit(s.x, s.y, GpSettings{});
  const auto loo = gp.leave_one_out();
  ASSERT_EQ(loo.size(), 25u);
  // Closed form: each held-out prediction is worse than the in-sample one, never identical.
  double in_sample = 0, held_out = 0;
  for (int i = 0; i < 25; ++i) {
    in_sample += std::abs(gp.predict(s.x.row(i).transpose()).mean - s.y(i));
    held_out += std::abs(loo[static_cast<size_t>(i)].mean - s.y(i));
    EXPECT_GT(loo[static_cast<size_t>(i)].sd, 0);
  }
  EXPECT_GT(held_out, in_sample);
  EXPECT_LT(held_out / 25, 0.3);
}

TEST(GaussianProcessTest, JsonRoundTripPredictsTheSame) {
  const Sample train = smooth_function(30, 4);
  const GaussianProcess gp = GaussianProcess::fit(train.x, train.y, GpSettings{});
  auto restored = GaussianProcess::from_json(gp.to_json());
  ASSERT_TRUE(restored.ok()) << restored.error().message;
  const Eigen::Vector2d probe(0.3, -1.2);
  EXPECT_DOUBLE_EQ(restored->predict(probe).mean, gp.predict(probe).mean);
  EXPECT_DOUBLE_EQ(restored->predict(probe).sd, gp.predict(probe).sd);
}

TEST(GaussianProcessTest, MalformedJsonIsAnError) {
  EXPECT_FALSE(GaussianProcess::from_json(nlohmann::json::object()).ok());
  nlohmann::json bad = GaussianProcess::fit(smooth_function(10, 5).x, smooth_function(10, 5).y, GpSettings{}).to_json();
  bad["kernels"][0]["inputs"] = {0, 7};
  EXPECT_FALSE(GaussianProcess::from_json(bad).ok());
}

}  // namespace
}  // namespace wattcast
