// AS 111 and AS 66 against Boost's normal distribution, to the accuracy their authors publish:
// a transcription slip in a coefficient would show up here as a far larger error.

#include "stats/published_normal.h"

#include <gtest/gtest.h>

#include <cmath>

#include <boost/math/distributions/normal.hpp>

namespace wattcast::stats {
namespace {

const boost::math::normal kStandardNormal;

TEST(PublishedNormalTest, As111QuantileIsGoodToSevenDigits) {
  for (int i = 1; i < 10000; ++i) {
    const float p = static_cast<float>(i) / 10000.0f;  // both branches: |p - 1/2| <= 0.42 and beyond
    const double exact = boost::math::quantile(kStandardNormal, static_cast<double>(p));
    EXPECT_NEAR(as111_normal_quantile(p), exact, 2e-6 * std::abs(exact) + 1e-7) << p;
  }
  for (float p = 1e-30f; p < 1e-5f; p *= 3.0f) {
    const double exact = boost::math::quantile(kStandardNormal, static_cast<double>(p));
    EXPECT_NEAR(as111_normal_quantile(p), exact, 2e-4 * std::abs(exact)) << p;
  }
  EXPECT_EQ(as111_normal_quantile(0.5f), 0.0f);
  EXPECT_EQ(as111_normal_quantile(0.0f), 0.0f);
  EXPECT_EQ(as111_normal_quantile(1.0f), 0.0f);
}

TEST(PublishedNormalTest, As66UpperTailIsGoodToTenDigits) {
  for (double z = -8.0; z <= 37.5; z += 0.01) {  // both branches: |z| <= 1.28 and beyond
    const double exact = boost::math::cdf(boost::math::complement(kStandardNormal, z));
    EXPECT_NEAR(as66_normal_upper_tail(z), exact, 1e-10 * exact) << z;
  }
  EXPECT_EQ(as66_normal_upper_tail(0.0), 0.5);
  // Past Hill's limits: the upper tail is 0 beyond z = 38, 1 below z = -7 (to double precision).
  EXPECT_EQ(as66_normal_upper_tail(38.5), 0.0);
  EXPECT_EQ(as66_normal_upper_tail(-9.0), 1.0);
  EXPECT_EQ(as66_normal_upper_tail(NAN), 1.0);
}

}  // namespace
}  // namespace wattcast::stats
