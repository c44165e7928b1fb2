#include "stats/shapiro_wilk.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <numeric>
#include <vector>

#include <boost/math/distributions/normal.hpp>
#include <fmt/format.h>

#include "stats/input_checks.h"

namespace wattcast::stats {
namespace {

constexpr const char* kTest = "Shapiro-Wilk";

// c0 + c1 x + c2 x^2 + ... (Horner).
template <size_t N>
double polynomial(const double (&coefficients)[N], double x) {
  double sum = 0;
  for (size_t i = N; i-- > 0;) sum = sum * x + coefficients[i];
  return sum;
}

// Royston's coefficients a_1..a_n (antisymmetric, sum of squares 1) for a sorted sample of n.
// Normal scores m_i = Phi^-1((i - 3/8) / (n + 1/4)); the outermost one (n <= 5) or two (n > 5)
// coefficients are polynomials in u = 1/sqrt(n); the rest are m_i scaled so that sum a_i^2 = 1.
std::vector<double> royston_coefficients(size_t n) {
  std::vector<double> a(n, 0.0);
  if (n == 3) {
    a[0] = -std::sqrt(0.5);
    a[2] = std::sqrt(0.5);
    return a;
  }
  const boost::math::normal standard_normal;
  const double count = static_cast<double>(n);
  std::vector<double> m(n);
  for (size_t i = 0; i < n / 2; ++i) {
    // Lower half, mirrored: keeps the scores exactly antisymmetric.
    m[i] = boost::math::quantile(standard_normal, (static_cast<double>(i + 1) - 0.375) / (count + 0.25));
    m[n - 1 - i] = -m[i];
  }
  const double sum_m2 = std::inner_product(m.begin(), m.end(), m.begin(), 0.0);
  const double u = 1.0 / std::sqrt(count);
  static constexpr double kLast[] = {0.0, 0.221157, -0.147981, -2.071190, 4.434685, -2.706056};
  static constexpr double kSecondLast[] = {0.0, 0.042981, -0.293762, -1.752461, 5.682633, -3.582633};
  const double a_last = m[n - 1] / std::sqrt(sum_m2) + polynomial(kLast, u);
  double scale = 0;
  size_t fixed = 1;  // coefficients at each end set by the polynomials
  if (n > 5) {
    const double a_second_last = m[n - 2] / std::sqrt(sum_m2) + polynomial(kSecondLast, u);
    scale = std::sqrt((sum_m2 - 2 * m[n - 1] * m[n - 1] - 2 * m[n - 2] * m[n - 2]) /
                      (1 - 2 * a_last * a_last - 2 * a_second_last * a_second_last));
    a[n - 2] = a_second_last;
    a[1] = -a_second_last;
    fixed = 2;
  } else {
    scale = std::sqrt((sum_m2 - 2 * m[n - 1] * m[n - 1]) / (1 - 2 * a_last * a_last));
  }
  a[n - 1] = a_last;
  a[0] = -a_last;
  for (size_t i = fixed; i < n - fixed; ++i) a[i] = m[i] / scale;
  return a;
}

// Royston's p for W: exact for n = 3; for 4 <= n <= 11, -log(gamma - log(1 - W)) and for
// n >= 12, log(1 - W), are close to normal with mean and spread polynomial in n or log n.
double royston_p_value(double w, size_t n) {
  if (n == 3) {
    // W is at least 3/4 for n = 3; its distribution is known in closed form.
    const double p = 6.0 / std::numbers::pi * (std::asin(std::sqrt(w)) - std::asin(std::sqrt(0.75)));
    return std::clamp(p, 0.0, 1.0);
  }
  const double count = static_cast<double>(n);
  double y = std::log1p(-w);
  double mean = 0, sd = 0;
  if (n <= 11) {
    const double gamma = -2.273 + 0.459 * count;
    // Beyond gamma the transform is undefined: W is far too small, p is below anything reportable.
    // (AS R94 returns 1e-99 there; so do we, for the same figure as SciPy.)
    if (y >= gamma) return 1e-99;
    y = -std::log(gamma - y);
    static constexpr double kMean[] = {0.5440, -0.39978, 0.025054, -6.714e-4};
    static constexpr double kLogSd[] = {1.3822, -0.77857, 0.062767, -0.0020322};
    mean = polynomial(kMean, count);
    sd = std::exp(polynomial(kLogSd, count));
  } else {
    const double log_n = std::log(count);
    static constexpr double kMean[] = {-1.5861, -0.31082, -0.083751, 0.0038915};
    static constexpr double kLogSd[] = {-0.4803, -0.082676, 0.0030302};
    mean = polynomial(kMean, log_n);
    sd = std::exp(polynomial(kLogSd, log_n));
  }
  return boost::math::cdf(boost::math::complement(boost::math::normal(), (y - mean) / sd));
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

  // W = (sum a_i x_(i))^2 / sum (x_i - mean)^2. The sum of a_i is 0, so centring the data on
  // its median first changes nothing but the rounding (large offsets cancel exactly).
  const double median = sorted[n / 2];
  for (double& v : sorted) v -= median;
  const double mean = std::accumulate(sorted.begin(), sorted.end(), 0.0) / static_cast<double>(n);
  const std::vector<double> a = royston_coefficients(n);
  double weighted = 0, squares = 0;
  for (size_t i = 0; i < n; ++i) {
    weighted += a[i] * sorted[i];
    squares += (sorted[i] - mean) * (sorted[i] - mean);
  }
  // Rounding can push W a hair above 1 for near-perfect normal scores; W is a squared correlation.
  const double w = std::min(1.0, weighted * weighted / squares);
  return ShapiroWilk{w, royston_p_value(w, n)};
}

}  // namespace wattcast::stats
