// describe() against NumPy: mean, sample sd, and quartiles by NumPy's default (linear) rule.

#include "stats/descriptive.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "stats_golden.h"

namespace wattcast::stats {
namespace {

using testing::close_to_reference;
using testing::golden;

TEST(DescriptiveTest, MatchesNumPy) {
  ASSERT_FALSE(golden()["samples"].empty());
  for (const auto& entry : golden()["samples"]) {
    const auto data = entry["data"].get<std::vector<double>>();
    const auto& expected = entry["descriptive"];
    auto d = describe(data);
    ASSERT_TRUE(d.ok()) << d.error().message;
    SCOPED_TRACE("n = " + std::to_string(data.size()));
    EXPECT_EQ(d->n, expected["n"].get<size_t>());
    EXPECT_TRUE(close_to_reference(d->mean, expected["mean"]));
    EXPECT_TRUE(close_to_reference(d->median, expected["median"]));
    EXPECT_TRUE(close_to_reference(d->q1, expected["q1"]));
    EXPECT_TRUE(close_to_reference(d->q3, expected["q3"]));
    EXPECT_TRUE(close_to_reference(d->iqr, expected["iqr"]));
    EXPECT_EQ(d->min, expected["min"].get<double>());
    EXPECT_EQ(d->max, expected["max"].get<double>());
    ASSERT_TRUE(d->sd.has_value());
    EXPECT_TRUE(close_to_reference(*d->sd, expected["sd"]));
  }
}

TEST(DescriptiveTest, LinearPercentileInterpolatesBetweenOrderStatistics) {
  // Positions (n - 1) q = 0.75, 1.5, 2.25 in {1, 2, 4, 8}.
  auto d = describe(std::vector<double>{8, 1, 4, 2});
  ASSERT_TRUE(d.ok());
  EXPECT_DOUBLE_EQ(d->q1, 1.75);
  EXPECT_DOUBLE_EQ(d->median, 3.0);
  EXPECT_DOUBLE_EQ(d->q3, 5.0);
  EXPECT_DOUBLE_EQ(d->iqr, 3.25);
}

TEST(DescriptiveTest, SingleValueHasNoStandardDeviation) {
  auto d = describe(std::vector<double>{4.5});
  ASSERT_TRUE(d.ok());
  EXPECT_FALSE(d->sd.has_value());
  EXPECT_EQ(d->median, 4.5);
  EXPECT_EQ(d->iqr, 0.0);
}

TEST(DescriptiveTest, EmptyOrNaNIsAnError) {
  EXPECT_FALSE(describe(std::vector<double>{}).ok());
  auto with_nan = describe(std::vector<double>{1, NAN, 3});
  ASSERT_FALSE(with_nan.ok());
  EXPECT_NE(with_nan.error().message.find("value 2 is NaN"), std::string::npos) << with_nan.error().message;
}

}  // namespace
}  // namespace wattcast::stats
