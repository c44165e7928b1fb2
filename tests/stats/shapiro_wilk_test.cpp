// shapiro_wilk() against scipy.stats.shapiro (Debian's SciPy 1.10) on the golden samples:
// random and tied, n = 3 to 5000, p from 1 down to single-precision underflow. Both evaluate
// AS R94 in single precision, so W and p must agree to 1e-6 relative with no absolute slack
// (in practice they are identical). The one exception is SciPy's p below 0 at n = 3, W = 3/4.

#include "stats/shapiro_wilk.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <string>
#include <vector>

#include "stats_golden.h"

namespace wattcast::stats {
namespace {

using testing::close_to_reference;

size_t check_against_scipy(const nlohmann::json& entries, const std::string& list) {
  size_t checked = 0;
  for (const auto& entry : entries) {
    if (!entry.contains("shapiro")) continue;
    const auto data = entry["data"].get<std::vector<double>>();
    const double expected_w = entry["shapiro"]["w"], expected_p = entry["shapiro"]["p"];
    SCOPED_TRACE(list + " #" + std::to_string(checked) + ", n = " + std::to_string(data.size()));
    auto result = shapiro_wilk(data);
    if (!result.ok()) {
      ADD_FAILURE() << result.error().message;
      continue;
    }
    EXPECT_TRUE(close_to_reference(result->w, expected_w, 1e-6, 0.0));
    if (expected_p < 0) {
      // SciPy's p for n = 3 at the smallest W, 3/4, is -9.1e-7: AS R94's five-digit constants
      // 1.909859 (6/pi) and 1.047198 (pi/3) round below 0. A p-value is never negative.
      EXPECT_EQ(data.size(), 3u);
      EXPECT_GT(expected_p, -1e-6);
      EXPECT_EQ(result->p, 0.0);
    } else {
      EXPECT_TRUE(close_to_reference(result->p, expected_p, 1e-6, 0.0));
    }
    ++checked;
  }
  return checked;
}

TEST(ShapiroWilkTest, MatchesScipyOnRandomAndTiedSamples) {
  EXPECT_GE(check_against_scipy(testing::golden()["samples"], "samples"), 25u);
  EXPECT_GE(check_against_scipy(testing::golden()["shapiro_samples"], "shapiro_samples"), 45u);
}

TEST(ShapiroWilkTest, GoldenSamplesCoverEveryBranchAndSize) {
  // What the agreement above is worth: samples for both p branches, large n, ties, tiny p.
  size_t small_n = 0, large_n = 0, tied = 0, tiny_p = 0, underflowed_p = 0;
  for (const auto& list : {"samples", "shapiro_samples"}) {
    for (const auto& entry : testing::golden()[list]) {
      if (!entry.contains("shapiro")) continue;
      auto data = entry["data"].get<std::vector<double>>();
      const double p = entry["shapiro"]["p"];
      small_n += data.size() >= 4 && data.size() <= 11;
      large_n += data.size() >= 2000;
      std::sort(data.begin(), data.end());
      tied += std::adjacent_find(data.begin(), data.end()) != data.end();
      tiny_p += p > 0 && p < 1e-30;
      underflowed_p += p == 0;
    }
  }
  EXPECT_GE(small_n, 20u);
  EXPECT_GE(large_n, 4u);
  EXPECT_GE(tied, 15u);
  EXPECT_GE(tiny_p, 3u);
  EXPECT_GE(underflowed_p, 1u);
}

TEST(ShapiroWilkTest, ThreeValuesHaveAnExactP) {
  // p = 6/pi (asin(sqrt(W)) - asin(sqrt(3/4))), W >= 3/4. AS R94 writes 6/pi and pi/3 with seven
  // digits and computes in single precision: W and p hold to about 1e-6.
  // Equally spaced: W = 1, p = 1. Two equal values: W = 3/4, the minimum for n = 3, p = 0.
  auto spaced = shapiro_wilk(std::vector<double>{1, 2, 3});
  ASSERT_TRUE(spaced.ok());
  EXPECT_NEAR(spaced->w, 1.0, 1e-6);
  EXPECT_NEAR(spaced->p, 1.0, 2e-6);
  auto lopsided = shapiro_wilk(std::vector<double>{1, 2, 2});
  ASSERT_TRUE(lopsided.ok());
  EXPECT_NEAR(lopsided->w, 0.75, 1e-6);
  EXPECT_EQ(lopsided->p, 0.0);
  auto middle = shapiro_wilk(std::vector<double>{0, 1, 3});
  ASSERT_TRUE(middle.ok());
  EXPECT_NEAR(middle->w, 27.0 / 28.0, 1e-6);  // (sum a_i x_i)^2 / SS = (3 / sqrt 2)^2 / (14 / 3)
  EXPECT_NEAR(middle->p, 6 / std::numbers::pi * (std::asin(std::sqrt(middle->w)) - std::numbers::pi / 3), 2e-6);
}

TEST(ShapiroWilkTest, ShiftAndScaleChangeOnlyTheLastDigits) {
  const std::vector<double> base{2.1, 3.7, 1.2, 5.5, 4.4, 2.9, 3.3, 8.0, 0.4};
  auto reference = shapiro_wilk(base);
  ASSERT_TRUE(reference.ok());
  // A large offset cancels (the sample is centred in double precision); the single-precision
  // rounding of the centred values differs, which moves W by ~1e-7 and p, through log(1 - W),
  // by ~1e-6.
  std::vector<double> moved;
  for (double v : base) moved.push_back(1e6 + 3 * v);
  auto shifted = shapiro_wilk(moved);
  ASSERT_TRUE(shifted.ok());
  EXPECT_TRUE(close_to_reference(shifted->w, reference->w, 1e-6));
  EXPECT_TRUE(close_to_reference(shifted->p, reference->p, 1e-5));
  // Scaling by a power of two changes no rounding: identical figures, even far outside single
  // precision's range, where the data are brought back to a range near 1 before the test.
  for (int exponent : {-1000, -130, 3, 130, 1000}) {
    std::vector<double> scaled;
    for (double v : base) scaled.push_back(std::ldexp(v, exponent));
    auto result = shapiro_wilk(scaled);
    ASSERT_TRUE(result.ok()) << exponent;
    EXPECT_EQ(result->w, reference->w) << exponent;
    EXPECT_EQ(result->p, reference->p) << exponent;
  }
}

TEST(ShapiroWilkTest, TooFewOrEqualOrNaNValuesAreErrors) {
  auto two = shapiro_wilk(std::vector<double>{1, 2});
  ASSERT_FALSE(two.ok());
  EXPECT_NE(two.error().message.find("Shapiro-Wilk"), std::string::npos);
  EXPECT_NE(two.error().message.find("2 values"), std::string::npos) << two.error().message;
  EXPECT_FALSE(shapiro_wilk(std::vector<double>{}).ok());
  auto equal = shapiro_wilk(std::vector<double>{4, 4, 4, 4});
  ASSERT_FALSE(equal.ok());
  EXPECT_NE(equal.error().message.find("equal"), std::string::npos);
  EXPECT_FALSE(shapiro_wilk(std::vector<double>{1, NAN, 3, 4}).ok());
  EXPECT_FALSE(shapiro_wilk(std::vector<double>(5001, 1.0)).ok());
}

}  // namespace
}  // namespace wattcast::stats
