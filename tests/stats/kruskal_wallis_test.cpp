// kruskal_wallis() against scipy.stats.kruskal, and eta-squared = (H - k + 1) / (N - k).

#include "stats/kruskal_wallis.h"

#include <gtest/gtest.h>

#include <cmath>

#include "stats_golden.h"

namespace wattcast::stats {
namespace {

using testing::close_to_reference;

TEST(KruskalWallisTest, MatchesScipyKruskal) {
  for (const auto& entry : testing::golden()["group_sets"]) {
    const auto groups = entry["groups"].get<Groups>();
    SCOPED_TRACE(entry["groups"].dump().substr(0, 80));
    auto result = kruskal_wallis(groups);
    ASSERT_TRUE(result.ok()) << result.error().message;
    EXPECT_TRUE(close_to_reference(result->h, entry["kruskal"]["h"]));
    EXPECT_TRUE(close_to_reference(result->p, entry["kruskal"]["p"]));
    EXPECT_TRUE(close_to_reference(result->eta_squared, entry["kruskal"]["eta_squared"]));
    EXPECT_EQ(result->df, static_cast<double>(groups.size() - 1));
  }
}

TEST(KruskalWallisTest, HandCheckedWithoutTies) {
  // Ranks {1,2,3}, {4,5,6}: rank sums 6 and 15; H = 12 / 42 (36/3 + 225/3) - 21 = 27/7.
  auto result = kruskal_wallis({{1, 2, 3}, {4, 5, 6}});
  ASSERT_TRUE(result.ok());
  EXPECT_NEAR(result->h, 27.0 / 7.0, 1e-12);
  EXPECT_NEAR(result->eta_squared, (27.0 / 7.0 - 1) / 4, 1e-12);
}

TEST(KruskalWallisTest, GroupOfOneAllEqualAndNaNAreErrors) {
  auto singleton = kruskal_wallis({{1, 2, 3}, {4}, {5, 6}});
  ASSERT_FALSE(singleton.ok());
  EXPECT_NE(singleton.error().message.find("Kruskal-Wallis: group 2 has 1 value"), std::string::npos) << singleton.error().message;
  auto equal = kruskal_wallis({{2, 2, 2}, {2, 2}});
  ASSERT_FALSE(equal.ok());
  EXPECT_NE(equal.error().message.find("all 5 values are equal"), std::string::npos) << equal.error().message;
  EXPECT_FALSE(kruskal_wallis({{1, 2, 3}}).ok());
  EXPECT_FALSE(kruskal_wallis({{1, 2, NAN}, {4, 5}}).ok());
}

}  // namespace
}  // namespace wattcast::stats
