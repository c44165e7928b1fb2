// shapiro_wilk() against Royston's (1995) AS R94 formulas in double precision (1e-6 relative)
// and against scipy.stats.shapiro, which evaluates them in single precision (float32): W to
// 4e-6 relative, p to 2e-3 relative or 2e-6 absolute (log(1 - W) amplifies W's rounding for
// large n; the largest differences seen are 1.8e-6 in W and 4e-4 in p, at n = 200 and 600).

#include "stats/shapiro_wilk.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <vector>

#include "stats_golden.h"

namespace wattcast::stats {
namespace {

using testing::close_to_reference;

TEST(ShapiroWilkTest, MatchesRoystonInDoublePrecisionAndScipyInSinglePrecision) {
  size_t checked = 0;
  for (const auto& entry : testing::golden()["samples"]) {
    if (!entry.contains("shapiro")) continue;
    const auto data = entry["data"].get<std::vector<double>>();
    const auto& expected = entry["shapiro"];
    SCOPED_TRACE("n = " + std::to_string(data.size()));
    auto result = shapiro_wilk(data);
    ASSERT_TRUE(result.ok()) << result.error().message;
    EXPECT_TRUE(close_to_reference(result->w, expected["w_double"]));
    EXPECT_TRUE(close_to_reference(result->p, expected["p_double"]));
    EXPECT_TRUE(close_to_reference(result->w, expected["w"], 4e-6));
    EXPECT_TRUE(close_to_reference(result->p, expected["p"], 2e-3, 2e-6));
    ++checked;
  }
  EXPECT_GE(checked, 25u);
}

TEST(ShapiroWilkTest, ThreeValuesHaveAnExactP) {
  // Equally spaced: W = 1, p = 1. Two equal values: W = 3/4, the minimum for n = 3, p = 0.
  auto spaced = shapiro_wilk(std::vector<double>{1, 2, 3});
  ASSERT_TRUE(spaced.ok());
  EXPECT_NEAR(spaced->w, 1.0, 1e-12);
  EXPECT_NEAR(spaced->p, 1.0, 1e-6);
  auto lopsided = shapiro_wilk(std::vector<double>{1, 2, 2});
  ASSERT_TRUE(lopsided.ok());
  EXPECT_NEAR(lopsided->w, 0.75, 1e-12);
  EXPECT_NEAR(lopsided->p, 0.0, 1e-6);
  // p = 6/pi (asin(sqrt(W)) - asin(sqrt(3/4))) in between.
  auto middle = shapiro_wilk(std::vector<double>{0, 1, 3});
  ASSERT_TRUE(middle.ok());
  EXPECT_NEAR(middle->p, 6 / std::numbers::pi * (std::asin(std::sqrt(middle->w)) - std::numbers::pi / 3), 1e-12);
}

TEST(ShapiroWilkTest, ShiftAndScaleDoNotChangeTheResult) {
  const std::vector<double> base{2.1, 3.7, 1.2, 5.5, 4.4, 2.9, 3.3, 8.0, 0.4};
  std::vector<double> moved;
  for (double v : base) moved.push_back(1e6 + 3 * v);
  auto a = shapiro_wilk(base), b = shapiro_wilk(moved);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_TRUE(close_to_reference(b->w, a->w, 1e-9));
  EXPECT_TRUE(close_to_reference(b->p, a->p, 1e-7));
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
