// mann_whitney() against scipy.stats.mannwhitneyu(x, y, alternative='two-sided'), default
// method='auto' (exact when the smaller sample has at most 8 values and there are no ties).

#include "stats/mann_whitney.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "stats_golden.h"

namespace wattcast::stats {
namespace {

using testing::close_to_reference;

TEST(MannWhitneyTest, MatchesScipyMannwhitneyu) {
  size_t exact = 0, approximate = 0;
  for (const auto& entry : testing::golden()["two_samples"]) {
    const auto x = entry["x"].get<std::vector<double>>();
    const auto y = entry["y"].get<std::vector<double>>();
    SCOPED_TRACE("n = " + std::to_string(x.size()) + ", " + std::to_string(y.size()));
    auto result = mann_whitney(x, y);
    ASSERT_TRUE(result.ok()) << result.error().message;
    EXPECT_TRUE(close_to_reference(result->u, entry["u"]));
    EXPECT_TRUE(close_to_reference(result->p, entry["p"]));
    EXPECT_TRUE(close_to_reference(result->cliffs_delta, entry["cliffs_delta"]));
    ++(result->exact ? exact : approximate);
  }
  EXPECT_GE(exact, 8u);  // both branches are exercised
  EXPECT_GE(approximate, 8u);
}

TEST(MannWhitneyTest, ExactDistributionByHand) {
  // m = n = 2: the 6 arrangements give U = 0, 1, 2, 2, 3, 4; P(U >= 3) = 2/6, P(U >= 4) = 1/6.
  EXPECT_NEAR(mann_whitney_exact_upper_tail(2, 2, 3), 2.0 / 6.0, 1e-15);
  EXPECT_NEAR(mann_whitney_exact_upper_tail(2, 2, 4), 1.0 / 6.0, 1e-15);
  EXPECT_NEAR(mann_whitney_exact_upper_tail(2, 2, 0), 1.0, 1e-15);
  // Complete separation of 3 and 4 values: U = 12 of 12, one arrangement in C(7, 3) = 35; two-sided 2/35.
  auto separated = mann_whitney(std::vector<double>{5, 6, 7}, std::vector<double>{1, 2, 3, 4});
  ASSERT_TRUE(separated.ok());
  EXPECT_TRUE(separated->exact);
  EXPECT_EQ(separated->u, 12);
  EXPECT_EQ(separated->cliffs_delta, 1.0);
  EXPECT_NEAR(separated->p, 2.0 / 35.0, 1e-15);
}

TEST(MannWhitneyTest, LargeCountsStayAccurate) {
  // C(508, 8) ~ 9e16 arrangements exceeds 2^53: the distribution is still symmetric and sums to 1.
  EXPECT_NEAR(mann_whitney_exact_upper_tail(8, 500, 0), 1.0, 1e-12);
  EXPECT_NEAR(mann_whitney_exact_upper_tail(8, 500, 2001) + mann_whitney_exact_upper_tail(8, 500, 2000), 1.0, 1e-12);
}

TEST(MannWhitneyTest, EmptyEqualOrNaNAreErrors) {
  EXPECT_FALSE(mann_whitney(std::vector<double>{}, std::vector<double>{1, 2}).ok());
  auto equal = mann_whitney(std::vector<double>{3, 3}, std::vector<double>{3, 3, 3});
  ASSERT_FALSE(equal.ok());
  EXPECT_NE(equal.error().message.find("Mann-Whitney"), std::string::npos);
  auto with_nan = mann_whitney(std::vector<double>{1, 2}, std::vector<double>{3, NAN});
  ASSERT_FALSE(with_nan.ok());
  EXPECT_NE(with_nan.error().message.find("second sample value 2 is NaN"), std::string::npos) << with_nan.error().message;
}

}  // namespace
}  // namespace wattcast::stats
