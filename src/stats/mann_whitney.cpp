#include "stats/mann_whitney.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include <boost/math/distributions/normal.hpp>
#include <fmt/format.h>

#include "stats/input_checks.h"
#include "stats/ranks.h"

namespace wattcast::stats {
namespace {

constexpr const char* kTest = "Mann-Whitney U";

// Number of arrangements giving each U = 0..m n: the coefficients of the Gaussian binomial
// [m + n choose m]_q, built with [N choose j] = [N - 1 choose j - 1] + q^j [N - 1 choose j].
// Only additions of non-negative counts, so the doubles stay accurate even beyond 2^53.
std::vector<double> u_frequencies(size_t m, size_t n) {
  const size_t degree = m * n;
  std::vector<std::vector<double>> choose(m + 1, std::vector<double>(degree + 1, 0.0));
  choose[0][0] = 1;  // [N choose 0] = 1 for every N
  for (size_t total = 1; total <= m + n; ++total) {
    for (size_t j = std::min(total, m); j >= 1; --j) {
      // New [total choose j] from the old [total - 1 choose j] (shifted by j) and [total - 1 choose j - 1];
      // walking u downwards reads each old coefficient before it is overwritten.
      std::vector<double>& row = choose[j];
      const std::vector<double>& below = choose[j - 1];
      // [total choose j] has degree j (total - j): the coefficients above it stay 0.
      const size_t reach = std::min(degree, j * (total - j));
      for (size_t u = reach + 1; u-- > 0;) row[u] = below[u] + (u >= j ? row[u - j] : 0.0);
    }
  }
  return choose[m];
}

}  // namespace

double mann_whitney_exact_upper_tail(size_t m, size_t n, double u) {
  const std::vector<double> frequencies = u_frequencies(std::min(m, n), std::max(m, n));
  double total = 0, tail = 0;
  for (size_t k = 0; k < frequencies.size(); ++k) {
    total += frequencies[k];
    if (static_cast<double>(k) >= u) tail += frequencies[k];
  }
  return tail / total;
}

Result<MannWhitney> mann_whitney(std::span<const double> x, std::span<const double> y) {
  if (x.empty() || y.empty()) return Error{fmt::format("{}: {} sample is empty; the test needs at least 1 value in each", kTest, x.empty() ? "the first" : "the second")};
  if (Status finite = check_finite(kTest, "first sample", x); !finite) return finite.error();
  if (Status finite = check_finite(kTest, "second sample", y); !finite) return finite.error();
  std::vector<double> pooled(x.begin(), x.end());
  pooled.insert(pooled.end(), y.begin(), y.end());
  auto ranking = rank_average(pooled);
  if (!ranking) return ranking.error();

  const double nx = static_cast<double>(x.size()), ny = static_cast<double>(y.size()), n = nx + ny;
  const double tie_term = ranking->tie_term();
  if (tie_term == n * n * n - n) return Error{fmt::format("{}: all {} values are equal; the test is undefined", kTest, pooled.size())};

  double rank_sum_x = 0;
  for (size_t i = 0; i < x.size(); ++i) rank_sum_x += ranking->ranks[i];
  MannWhitney result;
  result.u = rank_sum_x - nx * (nx + 1) / 2;
  // U counts ties as half, so #(x > y) - #(x < y) = 2 U - n_x n_y.
  result.cliffs_delta = (2 * result.u - nx * ny) / (nx * ny);
  // Two-sided: the larger of U and n_x n_y - U, in the upper tail, doubled.
  const double u_larger = std::max(result.u, nx * ny - result.u);
  result.exact = std::min(x.size(), y.size()) <= kMannWhitneyExactMaxSmallerSize && ranking->tie_sizes.empty();
  if (result.exact) {
    result.p = 2 * mann_whitney_exact_upper_tail(x.size(), y.size(), u_larger);
  } else {
    const double sd = std::sqrt(nx * ny / 12 * ((n + 1) - tie_term / (n * (n - 1))));
    const double z = (u_larger - nx * ny / 2 - 0.5) / sd;  // continuity correction towards the mean
    result.p = 2 * boost::math::cdf(boost::math::complement(boost::math::normal(), z));
  }
  result.p = std::clamp(result.p, 0.0, 1.0);
  return result;
}

}  // namespace wattcast::stats
