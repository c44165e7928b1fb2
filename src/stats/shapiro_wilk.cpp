#include "stats/shapiro_wilk.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include <fmt/format.h>

#include "stats/input_checks.h"
#include "stats/published_normal.h"

// Past the median centring, every step is single precision in the order AS R94 publishes it
// (shapiro_wilk.h): float literals only, so that no step is silently widened to double, and no
// reordering of sums, since each rounding is part of the reference figures.

namespace wattcast::stats {
namespace {

constexpr const char* kTest = "Shapiro-Wilk";

// Algorithm AS 181.2, POLY: c[0] + c[1] x + ... + c[N-1] x^(N-1), Horner from the top.
template <size_t N>
float poly(const float (&c)[N], float x) {
  static_assert(N >= 2);
  float sum = x * c[N - 1];
  for (size_t j = N - 2; j >= 1; --j) sum = (sum + c[j]) * x;
  return c[0] + sum;
}

// Royston's coefficients a_1..a_n for a sorted sample of n (antisymmetric, sum of squares ~1).
// From the normal scores m_i = Phi^-1((i - 3/8) / (n + 1/4)) of the lower half: the outermost
// one (n <= 5) or two (n > 5) coefficients are m_i / |m| plus a polynomial in 1/sqrt(n), the
// rest m_i rescaled so that sum a_i^2 = 1.
std::vector<float> royston_coefficients(size_t n) {
  const size_t half = n / 2;
  std::vector<float> upper(half);  // a_n, a_{n-1}, ..., a_{n-half+1}: all positive
  if (n == 3) {
    upper[0] = 0.70711f;  // AS R94's sqrt(1/2), to five digits
  } else {
    static constexpr float kLast[] = {0.0f, 0.221157f, -0.147981f, -2.07119f, 4.434685f, -2.706056f};
    static constexpr float kSecondLast[] = {0.0f, 0.042981f, -0.293762f, -1.752461f, 5.682633f, -3.582633f};
    const float count = static_cast<float>(n);
    const float count_quarter = count + 0.25f;
    float sum_m2 = 0.0f;
    for (size_t i = 0; i < half; ++i) {
      upper[i] = as111_normal_quantile((static_cast<float>(i + 1) - 0.375f) / count_quarter);  // m_(i+1) < 0
      sum_m2 = sum_m2 + upper[i] * upper[i];
    }
    sum_m2 = sum_m2 * 2.0f;
    const float norm_m = std::sqrt(sum_m2);
    const float u = 1.0f / std::sqrt(count);
    const float a_last = poly(kLast, u) - upper[0] / norm_m;
    size_t first_scaled = 1;
    float scale = 0;
    if (n > 5) {
      const float a_second_last = -upper[1] / norm_m + poly(kSecondLast, u);
      scale = std::sqrt((sum_m2 - 2.0f * (upper[0] * upper[0]) - 2.0f * (upper[1] * upper[1])) /
                        (1.0f - 2.0f * (a_last * a_last) - 2.0f * (a_second_last * a_second_last)));
      upper[1] = a_second_last;
      first_scaled = 2;
    } else {
      scale = std::sqrt((sum_m2 - 2.0f * (upper[0] * upper[0])) / (1.0f - 2.0f * (a_last * a_last)));
    }
    upper[0] = a_last;
    for (size_t i = first_scaled; i < half; ++i) upper[i] = -upper[i] / scale;
  }
  std::vector<float> a(n, 0.0f);  // the middle one stays 0 for odd n
  for (size_t i = 0; i < half; ++i) {
    a[i] = -upper[i];
    a[n - 1 - i] = upper[i];
  }
  return a;
}

// 1 - W for a sorted sample scaled so that its range is 1: one minus the squared correlation
// between the sample and the coefficients, in AS R94's form that keeps 1 - W accurate when W is
// near 1 (large normal samples).
float one_minus_w(const std::vector<float>& x, const std::vector<float>& a) {
  const size_t n = x.size();
  const float count = static_cast<float>(n);
  float sum_a = 0.0f, sum_x = 0.0f;
  for (size_t i = 0; i < n; ++i) {
    sum_a = sum_a + a[i];
    sum_x = sum_x + x[i];
  }
  const float mean_a = sum_a / count, mean_x = sum_x / count;
  float ss_a = 0.0f, ss_x = 0.0f, sp_ax = 0.0f;
  for (size_t i = 0; i < n; ++i) {
    const float da = a[i] - mean_a, dx = x[i] - mean_x;
    ss_a = ss_a + da * da;
    ss_x = ss_x + dx * dx;
    sp_ax = sp_ax + da * dx;
  }
  const float root = std::sqrt(ss_a * ss_x);
  return (root - sp_ax) * (root + sp_ax) / (ss_a * ss_x);
}

// Royston's p for W. Exact for n = 3. For 4 <= n <= 11, -log(gamma - log(1 - W)), and for
// n >= 12, log(1 - W), are close to normal with mean and sd polynomial in n or log n.
float royston_p_value(float w, float w1, size_t n) {
  const float count = static_cast<float>(n);
  if (n == 3) {
    // W >= 3/4 for n = 3: p = 6/pi (asin(sqrt(W)) - asin(sqrt(3/4))), constants as published.
    // (W rounded above 1 would make the arcsine NaN.)
    return 1.909859f * (std::asin(std::sqrt(std::min(w, 1.0f))) - 1.047198f);
  }
  float y = std::log(w1);
  float mean = 0, sd = 0;
  if (n <= 11) {
    static constexpr float kGamma[] = {-2.273f, 0.459f};
    static constexpr float kMean[] = {0.544f, -0.39978f, 0.025054f, -6.714e-4f};
    static constexpr float kLogSd[] = {1.3822f, -0.77857f, 0.062767f, -0.0020322f};
    const float gamma = poly(kGamma, count);
    // Beyond gamma the transform is undefined: W is far too small for n, and AS R94 reports
    // its smallest p.
    if (y >= gamma) return 1e-19f;
    y = -std::log(gamma - y);
    mean = poly(kMean, count);
    sd = std::exp(poly(kLogSd, count));
  } else {
    static constexpr float kMean[] = {-1.5861f, -0.31082f, -0.083751f, 0.0038915f};
    static constexpr float kLogSd[] = {-0.4803f, -0.082676f, 0.0030302f};
    const float log_n = std::log(count);
    mean = poly(kMean, log_n);
    sd = std::exp(poly(kLogSd, log_n));
  }
  return static_cast<float>(as66_normal_upper_tail(static_cast<double>((y - mean) / sd)));
}

}  // namespace

Result<ShapiroWilk> shapiro_wilk(std::span<const double> sample) {
  const size_t n = sample.size();
  if (n < kShapiroWilkMinSize || n > kShapiroWilkMaxSize) {
    return Error{fmt::format("{}: the sample has {} value{}; the test needs {} to {}", kTest, n, n == 1 ? "" : "s",
                             kShapiroWilkMinSize, kShapiroWilkMaxSize)};
  }
  if (Status finite = check_finite(kTest, "sample", sample); !finite) return finite.error();
  std::vector<double> sorted(sample.begin(), sample.end());
  std::sort(sorted.begin(), sorted.end());
  if (sorted.front() == sorted.back()) {
    return Error{fmt::format("{}: all {} values are equal; W is undefined for a sample without spread", kTest, n)};
  }

  // Centre on the median in double precision, as scipy.stats.shapiro does before handing the
  // sample to AS R94 in single precision: large offsets (energies in joules) cancel exactly.
  // Then scale by a power of two that brings the range near 1: exact, so W and p are as if
  // unscaled, and no value overflows or underflows single precision however large or small.
  const double median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  int range_exponent = 0;
  std::frexp(sorted.back() - sorted.front(), &range_exponent);
  std::vector<float> x(n);
  for (size_t i = 0; i < n; ++i) x[i] = static_cast<float>(std::ldexp(sorted[i] - median, -range_exponent));
  const float range = x.back() - x.front();
  for (float& v : x) v = v / range;

  const float w1 = one_minus_w(x, royston_coefficients(n));
  const float w = 1.0f - w1;
  const float p = royston_p_value(w, w1, n);
  // Rounding can leave W a hair above 1 (1 - W below 0) and, for n = 3 at W = 3/4, p a hair
  // below 0 (the five-digit constants): report the nearest possible values.
  return ShapiroWilk{std::min(1.0, static_cast<double>(w)), std::clamp(static_cast<double>(p), 0.0, 1.0)};
}

}  // namespace wattcast::stats
