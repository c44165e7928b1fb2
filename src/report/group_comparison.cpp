#include "report/group_comparison.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace wattcast {

namespace {

// Linear interpolation between closest ranks (the default of R and numpy).
double quantile(std::vector<double> sorted, double q) {
  if (sorted.empty()) return std::nan("");
  const double position = q * static_cast<double>(sorted.size() - 1);
  const size_t below = static_cast<size_t>(std::floor(position));
  const size_t above = std::min(below + 1, sorted.size() - 1);
  return sorted[below] + (position - static_cast<double>(below)) * (sorted[above] - sorted[below]);
}

}  // namespace

void mark_pareto_front(TradeoffChart& chart) {
  const auto better_or_equal = [&](double a, double b) { return chart.higher_is_better ? a >= b : a <= b; };
  for (auto& p : chart.points) {
    p.pareto = std::none_of(chart.points.begin(), chart.points.end(), [&](const TradeoffPoint& q) {
      const bool no_worse = q.energy_per_unit_j <= p.energy_per_unit_j && better_or_equal(q.metric, p.metric);
      const bool strictly_better = q.energy_per_unit_j < p.energy_per_unit_j || q.metric != p.metric;
      return &q != &p && no_worse && strictly_better;
    });
  }
}

std::vector<std::vector<std::string>> describe_groups(const GroupComparison& comparison) {
  std::vector<std::vector<std::string>> rows = {{comparison.factor, "n", "median", "q1", "q3", "iqr", "min", "max"}};
  for (const auto& [name, values] : comparison.groups) {
    std::vector<double> sorted = values;
    std::sort(sorted.begin(), sorted.end());
    if (sorted.empty()) {
      rows.push_back({name, "0", "-", "-", "-", "-", "-", "-"});
      continue;
    }
    const double q1 = quantile(sorted, 0.25), q3 = quantile(sorted, 0.75);
    rows.push_back({name, std::to_string(sorted.size()), fmt::format("{:.4g}", quantile(sorted, 0.5)), fmt::format("{:.4g}", q1),
                    fmt::format("{:.4g}", q3), fmt::format("{:.4g}", q3 - q1), fmt::format("{:.4g}", sorted.front()),
                    fmt::format("{:.4g}", sorted.back())});
  }
  return rows;
}

}  // namespace wattcast
