#include "stats/descriptive.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include "stats/input_checks.h"

namespace wattcast::stats {

double linear_percentile(std::span<const double> sorted, double fraction) {
  // Position (n - 1) * fraction in 0-based order statistics, interpolated between its floor and ceiling.
  const double position = static_cast<double>(sorted.size() - 1) * fraction;
  const size_t below = static_cast<size_t>(std::floor(position));
  if (below + 1 >= sorted.size()) return sorted.back();
  const double weight = position - static_cast<double>(below);
  return sorted[below] + weight * (sorted[below + 1] - sorted[below]);
}

Result<Descriptive> describe(std::span<const double> sample) {
  if (sample.empty()) return Error{"descriptive statistics: the sample is empty"};
  if (Status finite = check_finite("descriptive statistics", "sample", sample); !finite) return finite.error();
  std::vector<double> sorted(sample.begin(), sample.end());
  std::sort(sorted.begin(), sorted.end());

  Descriptive d;
  d.n = sorted.size();
  const double n = static_cast<double>(d.n);
  d.mean = std::accumulate(sorted.begin(), sorted.end(), 0.0) / n;
  if (d.n > 1) {
    // Two passes (mean first) rather than sum of squares: no cancellation for large offsets.
    double squares = 0;
    for (double v : sorted) squares += (v - d.mean) * (v - d.mean);
    d.sd = std::sqrt(squares / (n - 1));
  }
  d.min = sorted.front();
  d.max = sorted.back();
  d.q1 = linear_percentile(sorted, 0.25);
  d.median = linear_percentile(sorted, 0.5);
  d.q3 = linear_percentile(sorted, 0.75);
  d.iqr = d.q3 - d.q1;
  return d;
}

}  // namespace wattcast::stats
