// rank_average() against scipy.stats.rankdata(method='average'), and its tie groups.

#include "stats/ranks.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "stats_golden.h"

namespace wattcast::stats {
namespace {

TEST(RanksTest, MatchesScipyRankdata) {
  for (const auto& entry : testing::golden()["samples"]) {
    const auto data = entry["data"].get<std::vector<double>>();
    const auto expected = entry["ranks"].get<std::vector<double>>();
    auto ranking = rank_average(data);
    ASSERT_TRUE(ranking.ok());
    EXPECT_EQ(ranking->ranks, expected) << "n = " << data.size();  // halves and integers: exact
  }
}

TEST(RanksTest, TiesShareTheMeanRankAndAreCounted) {
  auto ranking = rank_average(std::vector<double>{3, 1, 3, 2, 3, 1});
  ASSERT_TRUE(ranking.ok());
  EXPECT_EQ(ranking->ranks, (std::vector<double>{5, 1.5, 5, 3, 5, 1.5}));
  EXPECT_EQ(ranking->tie_sizes, (std::vector<size_t>{2, 3}));
  EXPECT_DOUBLE_EQ(ranking->tie_term(), (8 - 2) + (27 - 3));
}

TEST(RanksTest, NoTiesNoTieTerm) {
  auto ranking = rank_average(std::vector<double>{0.5, -1, 7});
  ASSERT_TRUE(ranking.ok());
  EXPECT_EQ(ranking->ranks, (std::vector<double>{2, 1, 3}));
  EXPECT_TRUE(ranking->tie_sizes.empty());
  EXPECT_EQ(ranking->tie_term(), 0.0);
}

TEST(RanksTest, NaNIsAnError) { EXPECT_FALSE(rank_average(std::vector<double>{1, NAN}).ok()); }

}  // namespace
}  // namespace wattcast::stats
