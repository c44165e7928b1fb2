#include "estimate/nelder_mead.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace wattcast {

namespace {

MinimizeResult simplex_once(const std::function<double(const std::vector<double>&)>& f, const std::vector<double>& start,
                            const std::vector<double>& step, int budget, int* used) {
  const size_t n = start.size();
  std::vector<std::vector<double>> points(n + 1, start);
  for (size_t i = 0; i < n; ++i) points[i + 1][i] += step[i];
  std::vector<double> values(n + 1);
  auto eval = [&](const std::vector<double>& x) {
    ++*used;
    const double v = f(x);
    return std::isfinite(v) ? v : 1e300;
  };
  for (size_t i = 0; i <= n; ++i) values[i] = eval(points[i]);
  std::vector<size_t> order(n + 1);
  while (*used < budget) {
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return values[a] < values[b]; });
    const size_t best = order.front(), worst = order.back(), second = order[n - 1];
    if (std::abs(values[worst] - values[best]) <= 1e-12 * (1 + std::abs(values[best]))) break;
    std::vector<double> centroid(n, 0.0);
    for (size_t i : order) {
      if (i == worst) continue;
      for (size_t d = 0; d < n; ++d) centroid[d] += points[i][d] / static_cast<double>(n);
    }
    auto along = [&](double t) {
      std::vector<double> x(n);
      for (size_t d = 0; d < n; ++d) x[d] = centroid[d] + t * (points[worst][d] - centroid[d]);
      return x;
    };
    auto reflected = along(-1.0);
    const double fr = eval(reflected);
    if (fr < values[best]) {
      auto expanded = along(-2.0);
      const double fe = eval(expanded);
      if (fe < fr) {
        points[worst] = expanded, values[worst] = fe;
      } else {
        points[worst] = reflected, values[worst] = fr;
      }
    } else if (fr < values[second]) {
      points[worst] = reflected, values[worst] = fr;
    } else {
      auto contracted = along(fr < values[worst] ? -0.5 : 0.5);
      const double fc = eval(contracted);
      if (fc < std::min(fr, values[worst])) {
        points[worst] = contracted, values[worst] = fc;
      } else {
        for (size_t i : order) {
          if (i == best) continue;
          for (size_t d = 0; d < n; ++d) points[i][d] = points[best][d] + 0.5 * (points[i][d] - points[best][d]);
          values[i] = eval(points[i]);
        }
      }
    }
  }
  const size_t best = static_cast<size_t>(std::min_element(values.begin(), values.end()) - values.begin());
  return {points[best], values[best]};
}

}  // namespace

MinimizeResult nelder_mead(const std::function<double(const std::vector<double>&)>& f, std::vector<double> start,
                           const std::vector<double>& step, int max_evaluations) {
  int used = 0;
  MinimizeResult best{start, f(start)};
  if (!std::isfinite(best.value)) best.value = 1e300;
  for (int restart = 0; restart < 8 && used < max_evaluations; ++restart) {
    MinimizeResult next = simplex_once(f, best.x, step, max_evaluations, &used);
    const bool improved = next.value < best.value - 1e-10 * (1 + std::abs(best.value));
    if (next.value < best.value) best = next;
    if (!improved) break;
  }
  return best;
}

}  // namespace wattcast
