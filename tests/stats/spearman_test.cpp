// spearman() against scipy.stats.spearmanr.

#include "stats/spearman.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "stats_golden.h"

namespace wattcast::stats {
namespace {

using testing::close_to_reference;

TEST(SpearmanTest, MatchesScipySpearmanr) {
  for (const auto& entry : testing::golden()["paired"]) {
    const auto x = entry["x"].get<std::vector<double>>();
    const auto y = entry["y"].get<std::vector<double>>();
    SCOPED_TRACE("n = " + std::to_string(x.size()));
    auto result = spearman(x, y);
    ASSERT_TRUE(result.ok()) << result.error().message;
    EXPECT_TRUE(close_to_reference(result->rho, entry["rho"]));
    EXPECT_TRUE(close_to_reference(result->p, entry["p"]));
  }
}

TEST(SpearmanTest, HandChecked) {
  // Ranks {1,2,3,4} and {1,3,2,4}: sum d^2 = 2, rho = 1 - 6 * 2 / (4 * 15) = 0.8.
  auto result = spearman(std::vector<double>{10, 20, 30, 40}, std::vector<double>{1, 3, 2, 4});
  ASSERT_TRUE(result.ok());
  EXPECT_NEAR(result->rho, 0.8, 1e-14);
  auto monotone = spearman(std::vector<double>{1, 2, 3}, std::vector<double>{30, 20, 10});
  ASSERT_TRUE(monotone.ok());
  EXPECT_EQ(monotone->rho, -1.0);
  EXPECT_EQ(monotone->p, 0.0);
}

TEST(SpearmanTest, ConstantShortMismatchedOrNaNAreErrors) {
  auto constant = spearman(std::vector<double>{1, 2, 3, 4}, std::vector<double>{5, 5, 5, 5});
  ASSERT_FALSE(constant.ok());
  EXPECT_NE(constant.error().message.find("second sample are equal"), std::string::npos) << constant.error().message;
  EXPECT_FALSE(spearman(std::vector<double>{1, 2}, std::vector<double>{1, 2}).ok());
  EXPECT_FALSE(spearman(std::vector<double>{1, 2, 3}, std::vector<double>{1, 2}).ok());
  EXPECT_FALSE(spearman(std::vector<double>{1, NAN, 3}, std::vector<double>{1, 2, 3}).ok());
}

}  // namespace
}  // namespace wattcast::stats
