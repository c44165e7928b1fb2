// levene() against scipy.stats.levene(center='median') (Brown-Forsythe).

#include "stats/levene.h"

#include <gtest/gtest.h>

#include <cmath>

#include "stats_golden.h"

namespace wattcast::stats {
namespace {

using testing::close_to_reference;

TEST(LeveneTest, MatchesScipyMedianCentred) {
  ASSERT_FALSE(testing::golden()["group_sets"].empty());
  for (const auto& entry : testing::golden()["group_sets"]) {
    const auto groups = entry["groups"].get<Groups>();
    SCOPED_TRACE(entry["groups"].dump().substr(0, 80));
    auto result = levene(groups);
    ASSERT_TRUE(result.ok()) << result.error().message;
    EXPECT_TRUE(close_to_reference(result->w, entry["levene"]["w"]));
    EXPECT_TRUE(close_to_reference(result->p, entry["levene"]["p"]));
  }
}

TEST(LeveneTest, HandCheckedTwoGroups) {
  // Deviations from the medians 2 and 20: {1, 0, 1} and {10, 0, 10}; means 2/3 and 20/3, grand 11/3.
  // Between: 3 (2/3 - 11/3)^2 + 3 (20/3 - 11/3)^2 = 54; within: (1/9 + 4/9 + 1/9) + (100/9 + 400/9 + 100/9)
  // = 202/3. W = (N - k) / (k - 1) * 54 / (202/3) with N - k = 4, k - 1 = 1.
  auto result = levene({{1, 2, 3}, {10, 20, 30}});
  ASSERT_TRUE(result.ok());
  EXPECT_NEAR(result->w, 4.0 * 54.0 / (202.0 / 3.0), 1e-12);
  EXPECT_EQ(result->df_between, 1);
  EXPECT_EQ(result->df_within, 4);
}

TEST(LeveneTest, UndefinedOrTooSmallInputsAreErrors) {
  auto equal = levene({{5, 5, 5}, {5, 5, 5}});
  ASSERT_FALSE(equal.ok());
  EXPECT_NE(equal.error().message.find("Levene"), std::string::npos);
  auto single = levene({{1, 2, 3}, {4}}, {"fp32", "fp16"});
  ASSERT_FALSE(single.ok());
  EXPECT_NE(single.error().message.find("group 'fp16' has 1 value"), std::string::npos) << single.error().message;
  EXPECT_FALSE(levene({{1, 2, 3}}).ok());
  EXPECT_FALSE(levene({{1, 2, 3}, {4, NAN, 6}}).ok());
}

}  // namespace
}  // namespace wattcast::stats
