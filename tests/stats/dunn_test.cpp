// dunn() against the formula evaluated independently in make_stats_golden.py (numpy +
// scipy.stats.norm), a hand-checked case, and the Holm adjustment on its own.

#include "stats/dunn.h"

#include <gtest/gtest.h>

#include <cmath>

#include <boost/math/distributions/normal.hpp>

#include "stats_golden.h"

namespace wattcast::stats {
namespace {

using testing::close_to_reference;

TEST(DunnTest, MatchesTheFormulaInPython) {
  for (const auto& entry : testing::golden()["group_sets"]) {
    const auto groups = entry["groups"].get<Groups>();
    SCOPED_TRACE(entry["groups"].dump().substr(0, 80));
    auto result = dunn(groups);
    ASSERT_TRUE(result.ok()) << result.error().message;
    const auto mean_ranks = entry["dunn"]["mean_ranks"].get<std::vector<double>>();
    ASSERT_EQ(result->mean_ranks.size(), mean_ranks.size());
    for (size_t g = 0; g < mean_ranks.size(); ++g) EXPECT_TRUE(close_to_reference(result->mean_ranks[g], mean_ranks[g]));
    const auto& pairs = entry["dunn"]["pairs"];
    ASSERT_EQ(result->pairs.size(), pairs.size());
    for (size_t c = 0; c < pairs.size(); ++c) {
      EXPECT_EQ(result->pairs[c].first, pairs[c]["i"].get<size_t>());
      EXPECT_EQ(result->pairs[c].second, pairs[c]["j"].get<size_t>());
      EXPECT_TRUE(close_to_reference(result->pairs[c].z, pairs[c]["z"]));
      EXPECT_TRUE(close_to_reference(result->pairs[c].p, pairs[c]["p"]));
      EXPECT_TRUE(close_to_reference(result->pairs[c].p_bonferroni, pairs[c]["p_bonferroni"]));
      EXPECT_TRUE(close_to_reference(result->pairs[c].p_holm, pairs[c]["p_holm"]));
    }
  }
}

TEST(DunnTest, HandCheckedThreeGroupsWithATie) {
  // Pooled {1,2,3 | 3,4,5 | 6,7,8}: ranks {1,2,3.5 | 3.5,5,6 | 7,8,9}, N = 9, one tie of 2.
  // Mean ranks 6.5/3, 14.5/3, 8. Variance per rank 9*10/12 - 6/(12*8) = 7.5 - 0.0625 = 7.4375.
  auto result = dunn({{1, 2, 3}, {3, 4, 5}, {6, 7, 8}});
  ASSERT_TRUE(result.ok()) << result.error().message;
  ASSERT_EQ(result->pairs.size(), 3u);
  const double sigma = std::sqrt(7.4375 * (2.0 / 3.0));
  const double z[] = {(6.5 / 3 - 14.5 / 3) / sigma, (6.5 / 3 - 8) / sigma, (14.5 / 3 - 8) / sigma};
  const boost::math::normal standard_normal;
  double p[3];
  for (int c = 0; c < 3; ++c) {
    EXPECT_NEAR(result->pairs[c].z, z[c], 1e-12);
    p[c] = 2 * boost::math::cdf(boost::math::complement(standard_normal, std::abs(z[c])));
    EXPECT_NEAR(result->pairs[c].p, p[c], 1e-12);
    EXPECT_NEAR(result->pairs[c].p_bonferroni, std::min(1.0, 3 * p[c]), 1e-12);
  }
  // |z|: pair (0,2) largest, then (1,2), then (0,1): Holm multiplies by 3, 2, 1 in that order.
  EXPECT_NEAR(result->pairs[1].p_holm, 3 * p[1], 1e-12);
  EXPECT_NEAR(result->pairs[2].p_holm, std::max(3 * p[1], 2 * p[2]), 1e-12);
  EXPECT_NEAR(result->pairs[0].p_holm, std::min(1.0, std::max({3 * p[1], 2 * p[2], p[0]})), 1e-12);
}

TEST(DunnTest, HolmIsStepDownMonotoneAndCapped) {
  // Sorted 0.01, 0.02, 0.03, 0.5: 4*0.01 = 0.04, 3*0.02 = 0.06, 2*0.03 = 0.06, 1*0.5 = 0.5.
  const auto adjusted = holm_adjust({0.5, 0.03, 0.01, 0.02});
  EXPECT_NEAR(adjusted[0], 0.5, 1e-15);
  EXPECT_NEAR(adjusted[1], 0.06, 1e-15);
  EXPECT_NEAR(adjusted[2], 0.04, 1e-15);
  EXPECT_NEAR(adjusted[3], 0.06, 1e-15);
  // Monotone: sorted 0.3, 0.35, 0.4 scale to 0.9, 0.7, 0.4, but a larger raw p never gets a smaller
  // adjusted one, so all three become 0.9.
  const auto monotone = holm_adjust({0.4, 0.3, 0.35});
  for (double p : monotone) EXPECT_NEAR(p, 0.9, 1e-15);
  // Capped: 2 * 0.6 = 1.2 -> 1.
  const auto capped = holm_adjust({0.7, 0.6});
  EXPECT_EQ(capped[0], 1.0);
  EXPECT_EQ(capped[1], 1.0);
  EXPECT_TRUE(holm_adjust({}).empty());
}

TEST(DunnTest, SameInputErrorsAsKruskal) {
  auto singleton = dunn({{1, 2}, {3}}, {"a", "b"});
  ASSERT_FALSE(singleton.ok());
  EXPECT_NE(singleton.error().message.find("Dunn: group 'b' has 1 value"), std::string::npos) << singleton.error().message;
  EXPECT_FALSE(dunn({{7, 7}, {7, 7, 7}}).ok());
  EXPECT_FALSE(dunn({{1, NAN}, {2, 3}}).ok());
}

}  // namespace
}  // namespace wattcast::stats
