#include "report/downsample.h"

#include <algorithm>
#include <cmath>

namespace wattcast {

std::vector<TimedValue> downsample_min_max(const std::vector<TimedValue>& points, size_t buckets) {
  std::vector<TimedValue> finite;
  finite.reserve(points.size());
  for (const auto& p : points) {
    if (std::isfinite(p.t_s) && std::isfinite(p.value)) finite.push_back(p);
  }
  buckets = std::max<size_t>(buckets, 1);
  if (finite.size() <= 2 * buckets) return finite;

  const double first_s = finite.front().t_s;
  const double span_s = finite.back().t_s - first_s;
  std::vector<TimedValue> out;
  out.reserve(2 * buckets);
  size_t i = 0;
  while (i < finite.size()) {
    // The column of sample i; the last sample belongs to the last column, not one past it.
    const auto column = [&](size_t k) {
      if (!(span_s > 0)) return size_t{0};
      return std::min(buckets - 1, static_cast<size_t>((finite[k].t_s - first_s) / span_s * static_cast<double>(buckets)));
    };
    const size_t this_column = column(i);
    size_t lowest = i, highest = i, j = i;
    for (; j < finite.size() && column(j) == this_column; ++j) {
      if (finite[j].value < finite[lowest].value) lowest = j;
      if (finite[j].value > finite[highest].value) highest = j;
    }
    out.push_back(finite[std::min(lowest, highest)]);
    if (lowest != highest) out.push_back(finite[std::max(lowest, highest)]);
    i = j;
  }
  return out;
}

}  // namespace wattcast
