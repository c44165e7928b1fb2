#include "stats/spearman.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include <boost/math/distributions/students_t.hpp>
#include <fmt/format.h>

#include "stats/input_checks.h"
#include "stats/ranks.h"

namespace wattcast::stats {

Result<Spearman> spearman(std::span<const double> x, std::span<const double> y) {
  constexpr const char* kTest = "Spearman";
  if (x.size() != y.size()) return Error{fmt::format("{}: the samples have {} and {} values; the test needs pairs", kTest, x.size(), y.size())};
  if (x.size() < kSpearmanMinSize) {
    return Error{fmt::format("{}: {} pair{} given; the test needs at least {}", kTest, x.size(), x.size() == 1 ? "" : "s", kSpearmanMinSize)};
  }
  if (Status finite = check_finite(kTest, "first sample", x); !finite) return finite.error();
  if (Status finite = check_finite(kTest, "second sample", y); !finite) return finite.error();
  auto rx = rank_average(x);
  auto ry = rank_average(y);
  if (!rx) return rx.error();
  if (!ry) return ry.error();

  const double n = static_cast<double>(x.size());
  const double mean_rank = (n + 1) / 2;  // ranks average (n + 1) / 2 with or without ties
  double sxy = 0, sxx = 0, syy = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    const double dx = rx->ranks[i] - mean_rank, dy = ry->ranks[i] - mean_rank;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  if (!(sxx > 0) || !(syy > 0)) {
    return Error{fmt::format("{}: all values of the {} sample are equal; rho is undefined", kTest, sxx > 0 ? "second" : "first")};
  }
  Spearman result;
  result.n = x.size();
  result.rho = std::clamp(sxy / std::sqrt(sxx * syy), -1.0, 1.0);
  const double df = n - 2;
  if (std::abs(result.rho) == 1.0) {
    result.p = 0;  // t is infinite: a perfectly monotone relation
  } else {
    const double t = result.rho * std::sqrt(df / ((1 + result.rho) * (1 - result.rho)));
    result.p = std::min(1.0, 2 * boost::math::cdf(boost::math::complement(boost::math::students_t(df), std::abs(t))));
  }
  return result;
}

}  // namespace wattcast::stats
