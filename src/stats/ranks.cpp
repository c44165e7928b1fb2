#include "stats/ranks.h"

#include <algorithm>
#include <numeric>

#include "stats/input_checks.h"

namespace wattcast::stats {

double Ranking::tie_term() const {
  double sum = 0;
  for (size_t t : tie_sizes) {
    const double size = static_cast<double>(t);
    sum += size * size * size - size;
  }
  return sum;
}

Result<Ranking> rank_average(std::span<const double> values) {
  if (Status finite = check_finite("ranking", "input", values); !finite) return finite.error();
  std::vector<size_t> order(values.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return values[a] < values[b]; });

  Ranking ranking;
  ranking.ranks.resize(values.size());
  for (size_t start = 0; start < order.size();) {
    size_t end = start + 1;
    while (end < order.size() && values[order[end]] == values[order[start]]) ++end;
    // Sorted positions start..end-1 hold ranks start+1..end; each gets their mean.
    const double average = 0.5 * static_cast<double>(start + 1 + end);
    for (size_t i = start; i < end; ++i) ranking.ranks[order[i]] = average;
    if (end - start > 1) ranking.tie_sizes.push_back(end - start);
    start = end;
  }
  return ranking;
}

}  // namespace wattcast::stats
