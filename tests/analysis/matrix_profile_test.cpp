#include "analysis/matrix_profile.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace wattcast {
namespace {

constexpr double kTolerance = 1e-6;
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::vector<double> gaussian_noise(size_t n, unsigned seed, double offset = 0.0) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal;
  std::vector<double> x(n);
  for (auto& v : x) v = offset + normal(rng);
  return x;
}

std::vector<double> random_walk(size_t n, unsigned seed, double start) {
  std::vector<double> x = gaussian_noise(n, seed);
  double level = start;
  for (auto& v : x) v = level += v;
  return x;
}

// The distance between two subsequences by the definition, for checking a reported index when
// several neighbours tie.
double distance_by_definition(const std::vector<double>& x, size_t m, size_t i, size_t j) {
  auto z = [&](size_t start) {
    double mean = 0;
    for (size_t t = 0; t < m; ++t) mean += x[start + t];
    mean /= static_cast<double>(m);
    double squares = 0;
    for (size_t t = 0; t < m; ++t) squares += (x[start + t] - mean) * (x[start + t] - mean);
    std::vector<double> out(m);
    for (size_t t = 0; t < m; ++t) out[t] = squares > 0 ? (x[start + t] - mean) / std::sqrt(squares / static_cast<double>(m)) : kNaN;
    return out;
  };
  const std::vector<double> a = z(i);
  const std::vector<double> b = z(j);
  const bool a_constant = std::isnan(a[0]);
  const bool b_constant = std::isnan(b[0]);
  if (a_constant && b_constant) return 0.0;
  if (a_constant || b_constant) return std::sqrt(static_cast<double>(m));
  double sum = 0;
  for (size_t t = 0; t < m; ++t) sum += (a[t] - b[t]) * (a[t] - b[t]);
  return std::sqrt(sum);
}

MatrixProfileOptions with(unsigned threads, bool use_simd = true, std::optional<size_t> exclusion_zone = std::nullopt) {
  MatrixProfileOptions options;
  options.threads = threads;
  options.use_simd = use_simd;
  options.exclusion_zone = exclusion_zone;
  return options;
}

void expect_matches_naive(const std::vector<double>& x, size_t m, const MatrixProfileOptions& options = {}) {
  SCOPED_TRACE("n=" + std::to_string(x.size()) + " m=" + std::to_string(m) + " threads=" +
               std::to_string(options.threads) + " simd=" + std::to_string(options.use_simd));
  const Result<MatrixProfile> fast = matrix_profile(x, m, options);
  const Result<MatrixProfile> naive = naive_matrix_profile(x, m, options);
  ASSERT_TRUE(fast.ok()) << fast.error().message;
  ASSERT_TRUE(naive.ok()) << naive.error().message;
  ASSERT_EQ(fast->distance.size(), x.size() - m + 1);
  ASSERT_EQ(fast->index.size(), fast->distance.size());
  EXPECT_EQ(fast->exclusion_zone, naive->exclusion_zone);
  for (size_t i = 0; i < fast->distance.size(); ++i) {
    if (std::isinf(naive->distance[i])) {
      EXPECT_TRUE(std::isinf(fast->distance[i])) << "at " << i;
      EXPECT_EQ(fast->index[i], -1) << "at " << i;
      continue;
    }
    EXPECT_NEAR(fast->distance[i], naive->distance[i], kTolerance) << "at " << i;
    const int64_t j = fast->index[i];
    ASSERT_GE(j, 0) << "at " << i;
    EXPECT_GT(std::abs(j - static_cast<int64_t>(i)), static_cast<int64_t>(fast->exclusion_zone)) << "at " << i;
    if (j != naive->index[i]) {  // a tie: the reported neighbour must be as near
      EXPECT_NEAR(distance_by_definition(x, m, i, static_cast<size_t>(j)), naive->distance[i], kTolerance) << "at " << i;
    }
  }
}

TEST(MatrixProfile, MatchesNaiveOnRandomNoise) {
  for (size_t n : {64, 301, 1000}) {
    for (size_t m : {3, 8, 25}) {
      for (unsigned threads : {1u, 3u}) {
        expect_matches_naive(gaussian_noise(n, static_cast<unsigned>(n * m)), m, with(threads));
      }
    }
  }
}

TEST(MatrixProfile, PortableKernelMatchesNaive) {
  for (unsigned threads : {1u, 2u}) {
    expect_matches_naive(gaussian_noise(700, 7), 20, with(threads, false));
  }
}

// A random walk far from zero stresses the covariance recurrence; more than 4096 rows exercise the
// periodic exact recomputation.
TEST(MatrixProfile, MatchesNaiveOnLongRandomWalk) {
  expect_matches_naive(random_walk(4600, 11, 1000.0), 12, with(3));
  expect_matches_naive(random_walk(1500, 12, -5e4), 100, with(2));
}

TEST(MatrixProfile, WindowOfHalfTheSeries) { expect_matches_naive(gaussian_noise(200, 3), 100, with(2)); }

TEST(MatrixProfile, MoreThreadsThanDiagonalBlocks) { expect_matches_naive(gaussian_noise(90, 5), 10, with(8)); }

TEST(MatrixProfile, CustomExclusionZone) {
  expect_matches_naive(gaussian_noise(400, 9), 16, with(2, true, 40));
  expect_matches_naive(gaussian_noise(400, 9), 16, with(1, true, 0));
  expect_matches_naive(gaussian_noise(100, 9), 16, with(2, true, 1000));  // nobody is a neighbour
}

TEST(MatrixProfile, NonFiniteSamplesGiveInfiniteDistanceAndNoIndex) {
  std::vector<double> x = gaussian_noise(600, 21);
  x[0] = kNaN;
  x[250] = kNaN;
  x[251] = std::numeric_limits<double>::infinity();
  x[599] = -std::numeric_limits<double>::infinity();
  for (unsigned threads : {1u, 3u}) expect_matches_naive(x, 16, with(threads));

  const Result<MatrixProfile> profile = matrix_profile(x, 16);
  ASSERT_TRUE(profile.ok());
  for (size_t i = 236; i <= 251; ++i) {
    EXPECT_EQ(profile->distance[i], kInf) << i;
    EXPECT_EQ(profile->index[i], -1) << i;
  }
  for (size_t i = 0; i < profile->index.size(); ++i) {
    const int64_t j = profile->index[i];
    if (j >= 0) {
      EXPECT_TRUE(j < 236 || j > 251) << "neighbour " << j << " of " << i << " holds a NaN";
    }
  }
}

TEST(MatrixProfile, AllNonFiniteSeriesHasNoNeighbours) {
  const std::vector<double> x(40, kNaN);
  const Result<MatrixProfile> profile = matrix_profile(x, 5);
  ASSERT_TRUE(profile.ok());
  for (size_t i = 0; i < profile->distance.size(); ++i) {
    EXPECT_EQ(profile->distance[i], kInf);
    EXPECT_EQ(profile->index[i], -1);
  }
}

TEST(MatrixProfile, ConstantStretchesFollowStumpyConventions) {
  std::vector<double> x = gaussian_noise(900, 31, 250.0);
  for (size_t k = 100; k < 160; ++k) x[k] = 250.0;  // two constant stretches longer than m
  for (size_t k = 500; k < 540; ++k) x[k] = 3.5;
  for (size_t k = 800; k < 812; ++k) x[k] = 7.0;    // shorter than m: no constant subsequence
  for (unsigned threads : {1u, 3u}) {
    expect_matches_naive(x, 20, with(threads));
    expect_matches_naive(x, 20, with(threads, false));
  }
  const Result<MatrixProfile> profile = matrix_profile(x, 20);
  ASSERT_TRUE(profile.ok());
  EXPECT_EQ(profile->distance[110], 0.0);  // constant, and another constant one exists
}

TEST(MatrixProfile, SingleConstantStretchIsSqrtMFromEverything) {
  std::vector<double> x = gaussian_noise(300, 41);
  for (size_t k = 100; k < 112; ++k) x[k] = 1.0;  // constant subsequences 100..102 for m = 10,
                                                  // all inside each other's exclusion zone (3)
  expect_matches_naive(x, 10, with(2));
  const Result<MatrixProfile> profile = matrix_profile(x, 10);
  ASSERT_TRUE(profile.ok());
  EXPECT_DOUBLE_EQ(profile->distance[101], std::sqrt(10.0));
}

TEST(MatrixProfile, ConstantSeriesIsAllZero) {
  const std::vector<double> x(100, 42.0);
  expect_matches_naive(x, 10, with(2));
  const Result<MatrixProfile> profile = matrix_profile(x, 10);
  ASSERT_TRUE(profile.ok());
  for (double d : profile->distance) EXPECT_EQ(d, 0.0);
}

TEST(MatrixProfile, RepeatedPatternHasNearZeroDistances) {
  const std::vector<double> pattern = gaussian_noise(37, 51);
  std::vector<double> x;
  for (int r = 0; r < 30; ++r) x.insert(x.end(), pattern.begin(), pattern.end());
  for (unsigned threads : {1u, 3u}) expect_matches_naive(x, 30, with(threads));
  const Result<MatrixProfile> profile = matrix_profile(x, 30);
  ASSERT_TRUE(profile.ok());
  for (double d : profile->distance) EXPECT_LT(d, 1e-6);
}

TEST(MatrixProfile, RejectsBadWindows) {
  const std::vector<double> x = gaussian_noise(100, 1);
  for (size_t m : {0, 1, 2, 51, 100, 1000}) {
    const Result<MatrixProfile> fast = matrix_profile(x, m);
    ASSERT_FALSE(fast.ok()) << m;
    EXPECT_NE(fast.error().message.find("window"), std::string::npos) << fast.error().message;
    const Result<MatrixProfile> naive = naive_matrix_profile(x, m);
    ASSERT_FALSE(naive.ok()) << m;
    EXPECT_EQ(naive.error().message, fast.error().message);
  }
  EXPECT_FALSE(matrix_profile(std::vector<double>{}, 3).ok());
  EXPECT_TRUE(matrix_profile(x, 50).ok());
}

}  // namespace
}  // namespace wattcast
