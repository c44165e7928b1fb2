// Thinning long traces for display: bounded point counts, peaks and dips kept, time order kept.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "report/downsample.h"

namespace wattcast {
namespace {

std::vector<TimedValue> noisy_trace(size_t n) {
  std::vector<TimedValue> points;
  for (size_t i = 0; i < n; ++i) {
    const double t = static_cast<double>(i) * 0.001;
    points.push_back({t, 250 + 30 * std::sin(t) + static_cast<double>(i % 7)});
  }
  return points;
}

TEST(DownsampleTest, AShortTraceIsKeptWhole) {
  const auto points = noisy_trace(100);
  const auto out = downsample_min_max(points, 100);
  ASSERT_EQ(out.size(), points.size());
  for (size_t i = 0; i < out.size(); ++i) EXPECT_EQ(out[i].t_s, points[i].t_s);
}

TEST(DownsampleTest, ALongTraceIsBoundedByTwoPointsPerColumn) {
  for (size_t buckets : {1u, 10u, 1500u}) {
    const auto out = downsample_min_max(noisy_trace(200000), buckets);
    EXPECT_LE(out.size(), 2 * buckets);
    EXPECT_GE(out.size(), buckets);  // every column of an evenly sampled trace has samples
  }
}

TEST(DownsampleTest, APeakAndADipOfOneSampleSurvive) {
  auto points = noisy_trace(1000000);
  points[123457].value = 900;  // a one-sample spike
  points[876543].value = 3;    // a one-sample drop
  const auto out = downsample_min_max(points, 1000);
  ASSERT_LE(out.size(), 2000u);
  const auto [low, high] = std::minmax_element(out.begin(), out.end(), [](const TimedValue& a, const TimedValue& b) { return a.value < b.value; });
  EXPECT_EQ(high->value, 900);
  EXPECT_EQ(high->t_s, points[123457].t_s);
  EXPECT_EQ(low->value, 3);
  EXPECT_EQ(low->t_s, points[876543].t_s);
}

TEST(DownsampleTest, KeptPointsStayInTimeOrderAndAreRealSamples) {
  const auto points = noisy_trace(50000);
  const auto out = downsample_min_max(points, 300);
  for (size_t i = 1; i < out.size(); ++i) EXPECT_LT(out[i - 1].t_s, out[i].t_s);
  for (const auto& p : out) {
    const auto index = static_cast<size_t>(std::llround(p.t_s / 0.001));
    ASSERT_LT(index, points.size());
    EXPECT_EQ(points[index].value, p.value);
  }
}

TEST(DownsampleTest, MissingFiguresAreDroppedAndASingleInstantIsKeptAsTwoPoints) {
  std::vector<TimedValue> points = {{0, 100}, {0.5, std::nan("")}, {1, 120}};
  EXPECT_EQ(downsample_min_max(points, 10).size(), 2u);
  std::vector<TimedValue> same_time(50, TimedValue{5, 1});
  same_time[20].value = 9;
  const auto out = downsample_min_max(same_time, 3);
  EXPECT_LE(out.size(), 6u);
  EXPECT_TRUE(std::any_of(out.begin(), out.end(), [](const TimedValue& p) { return p.value == 9; }));
  EXPECT_TRUE(downsample_min_max({}, 10).empty());
}

}  // namespace
}  // namespace wattcast
