#include "analysis/fluss.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <numbers>
#include <random>
#include <vector>

#include "analysis/matrix_profile.h"

namespace wattcast {
namespace {

std::vector<double> noise(size_t n, unsigned seed, double sigma) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal(0.0, sigma);
  std::vector<double> x(n);
  for (auto& v : x) v = normal(rng);
  return x;
}

FlussOptions regimes_only(size_t regimes) {
  FlussOptions options;
  options.regimes = regimes;
  return options;
}

RegimeSegmentation segment(const std::vector<double>& x, size_t m, size_t regimes) {
  const Result<MatrixProfile> profile = matrix_profile(x, m);
  EXPECT_TRUE(profile.ok());
  const Result<RegimeSegmentation> segmentation = fluss(profile->index, m, regimes_only(regimes));
  EXPECT_TRUE(segmentation.ok());
  return *segmentation;
}

TEST(Fluss, FindsTheSwitchFromSineToSquareWave) {
  constexpr size_t kSwitch = 2000;
  constexpr double kPeriod = 40;
  std::vector<double> x = noise(4000, 1, 0.05);
  for (size_t k = 0; k < x.size(); ++k) {
    const double phase = std::sin(2 * std::numbers::pi * static_cast<double>(k) / kPeriod);
    x[k] += k < kSwitch ? phase : (phase >= 0 ? 1.0 : -1.0);
  }
  const RegimeSegmentation s = segment(x, 40, 2);
  ASSERT_EQ(s.boundaries.size(), 1u);
  EXPECT_NEAR(static_cast<double>(s.boundaries[0]), static_cast<double>(kSwitch), 40.0);
  EXPECT_LT(s.min_cac, 0.2);
  EXPECT_EQ(s.corrected_arc_curve.size(), x.size() - 40 + 1);
  EXPECT_DOUBLE_EQ(s.min_cac, s.corrected_arc_curve[s.boundaries[0]]);
}

// A training run's power: a warm-up at one level with one ripple, then steady epochs at another
// level with the data loader's ripple.
TEST(Fluss, FindsTheStabilizingPointOfAPowerTrace) {
  constexpr size_t kStable = 1800;
  std::vector<double> watts = noise(5000, 2, 4.0);
  for (size_t k = 0; k < watts.size(); ++k) {
    const double t = static_cast<double>(k);
    watts[k] += k < kStable ? 180.0 + 25.0 * std::sin(2 * std::numbers::pi * t / 23.0)
                            : 310.0 + 40.0 * (std::fmod(t, 60.0) < 45.0 ? 1.0 : -1.0);
  }
  const RegimeSegmentation s = segment(watts, 60, 2);
  ASSERT_EQ(s.boundaries.size(), 1u);
  EXPECT_NEAR(static_cast<double>(s.boundaries[0]), static_cast<double>(kStable), 60.0);
  EXPECT_LT(s.min_cac, 0.3);
}

TEST(Fluss, ThreeRegimesGiveTwoBoundariesStrongestFirst) {
  std::vector<double> x = noise(6000, 3, 0.05);
  for (size_t k = 0; k < x.size(); ++k) {
    const double t = static_cast<double>(k);
    if (k < 2000) x[k] += std::sin(2 * std::numbers::pi * t / 30.0);
    else if (k < 4000) x[k] += std::fmod(t, 30.0) / 30.0;
    else x[k] += std::sin(2 * std::numbers::pi * t / 30.0) > 0 ? 1.0 : -1.0;
  }
  const RegimeSegmentation s = segment(x, 30, 3);
  ASSERT_EQ(s.boundaries.size(), 2u);
  const size_t first = std::min(s.boundaries[0], s.boundaries[1]);
  const size_t second = std::max(s.boundaries[0], s.boundaries[1]);
  EXPECT_NEAR(static_cast<double>(first), 2000.0, 30.0);
  EXPECT_NEAR(static_cast<double>(second), 4000.0, 30.0);
  EXPECT_LE(s.corrected_arc_curve[s.boundaries[0]], s.corrected_arc_curve[s.boundaries[1]]);
}

TEST(Fluss, CurveIsOneAtTheEdgesAndWithinZeroOne) {
  std::vector<double> x = noise(2000, 4, 1.0);
  const RegimeSegmentation s = segment(x, 20, 2);
  for (size_t i = 0; i < s.corrected_arc_curve.size(); ++i) {
    EXPECT_GE(s.corrected_arc_curve[i], 0.0);
    EXPECT_LE(s.corrected_arc_curve[i], 1.0);
    if (i < 100 || i + 100 >= s.corrected_arc_curve.size()) {
      EXPECT_EQ(s.corrected_arc_curve[i], 1.0) << i;
    }
  }
}

TEST(Fluss, TooShortProfileGivesAFlatCurveAndNoBoundary) {
  const std::vector<int64_t> index = {5, 9, 0, 7, 1, 8, 2, 3, 4, 6};
  const Result<RegimeSegmentation> s = fluss(index, 3);  // edge zone 15 covers everything
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->corrected_arc_curve, std::vector<double>(10, 1.0));
  EXPECT_TRUE(s->boundaries.empty());
  EXPECT_EQ(s->min_cac, 1.0);

  const Result<RegimeSegmentation> empty = fluss(std::vector<int64_t>{}, 3);
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->corrected_arc_curve.empty());
}

TEST(Fluss, ConstantSeriesDoesNotCrash) {
  const std::vector<double> x(3000, 250.0);
  const RegimeSegmentation s = segment(x, 20, 2);
  EXPECT_EQ(s.corrected_arc_curve.size(), x.size() - 20 + 1);
  for (double v : s.corrected_arc_curve) {
    EXPECT_GE(v, 0.0);
    EXPECT_LE(v, 1.0);
  }
}

TEST(Fluss, NoNeighbourAnywhereIsNoEvidenceOfAChange) {
  const std::vector<int64_t> index(400, -1);
  const Result<RegimeSegmentation> s = fluss(index, 4);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->corrected_arc_curve, std::vector<double>(400, 1.0));
  EXPECT_TRUE(s->boundaries.empty());
  EXPECT_EQ(s->min_cac, 1.0);
}

// A NaN gap in the trace (a sensor dropout) removes arcs; the rest of the series still segments.
TEST(Fluss, FindsTheSwitchDespiteANaNGap) {
  std::vector<double> x = noise(4000, 5, 0.05);
  for (size_t k = 0; k < x.size(); ++k) {
    const double phase = std::sin(2 * std::numbers::pi * static_cast<double>(k) / 40.0);
    x[k] += k < 2500 ? phase : (phase >= 0 ? 1.0 : -1.0);
  }
  for (size_t k = 1000; k < 1100; ++k) x[k] = std::numeric_limits<double>::quiet_NaN();
  const RegimeSegmentation s = segment(x, 40, 2);
  ASSERT_EQ(s.boundaries.size(), 1u);
  EXPECT_NEAR(static_cast<double>(s.boundaries[0]), 2500.0, 40.0);
}

TEST(Fluss, RejectsBadInput) {
  const std::vector<int64_t> out_of_range = {1, 2, 3, 10};
  const Result<RegimeSegmentation> s = fluss(out_of_range, 1);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("outside"), std::string::npos) << s.error().message;
  EXPECT_FALSE(fluss(std::vector<int64_t>{1, 0}, 1, regimes_only(0)).ok());
  EXPECT_FALSE(fluss(std::vector<int64_t>{1, 0}, 0).ok());
}

}  // namespace
}  // namespace wattcast
