#pragma once
// Long power traces thinned for display, so a report of a million-sample run stays a few
// hundred kilobytes and the browser draws it at once.
//
// The rule (docs/REPORT.md): the trace's time span is cut into `buckets` equal-width columns,
// about one per pixel of the chart; each column keeps its lowest and its highest sample, in time
// order. At most 2 x buckets points remain, and every peak and every dip survives, since the
// extreme sample of a column is always one of the kept two. Traces already that short are kept
// whole.

#include <cstddef>
#include <vector>

namespace wattcast {

struct TimedValue {
  double t_s = 0;
  double value = 0;
};

inline constexpr size_t kDefaultDisplayBuckets = 1500;

// `points` must be in time order. Non-finite values are dropped first (gaps show as gaps).
std::vector<TimedValue> downsample_min_max(const std::vector<TimedValue>& points, size_t buckets = kDefaultDisplayBuckets);

}  // namespace wattcast
