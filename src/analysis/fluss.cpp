#include "analysis/fluss.h"

#include <algorithm>
#include <string>

namespace wattcast {
namespace {

struct ArcCounts {
  std::vector<double> crossing;  // arcs over each position
  size_t arcs = 0;               // arcs drawn: entries with a neighbour
};

// Arcs crossing each position: the arc i -> I[i] covers [min, max). Built from +1/-1 marks and a
// running sum, O(n).
Result<ArcCounts> arc_counts(std::span<const int64_t> profile_index) {
  const size_t count = profile_index.size();
  std::vector<int64_t> marks(count + 1, 0);
  ArcCounts counts;
  for (size_t i = 0; i < count; ++i) {
    const int64_t j = profile_index[i];
    if (j < 0) continue;  // no neighbour (non-finite subsequence): no arc
    if (static_cast<size_t>(j) >= count) {
      return Error{"fluss: matrix profile index " + std::to_string(j) + " at position " + std::to_string(i) +
                   " is outside the profile (" + std::to_string(count) + " entries)"};
    }
    const auto position = static_cast<int64_t>(i);
    ++counts.arcs;
    ++marks[static_cast<size_t>(std::min(position, j))];
    --marks[static_cast<size_t>(std::max(position, j))];
  }
  counts.crossing.resize(count);
  int64_t crossing = 0;
  for (size_t i = 0; i < count; ++i) {
    crossing += marks[i];
    counts.crossing[i] = static_cast<double>(crossing);
  }
  return counts;
}

}  // namespace

Result<RegimeSegmentation> fluss(std::span<const int64_t> profile_index, size_t window, const FlussOptions& options) {
  if (options.regimes < 1) return Error{"fluss: the number of regimes must be at least 1"};
  if (window < 1) return Error{"fluss: the window must be at least 1 sample"};
  Result<ArcCounts> arcs = arc_counts(profile_index);
  if (!arcs) return arcs.error();

  const size_t count = profile_index.size();
  const size_t edge = options.exclusion_factor * window;
  RegimeSegmentation segmentation;
  segmentation.corrected_arc_curve.assign(count, 1.0);
  std::vector<double>& cac = segmentation.corrected_arc_curve;
  const double n = static_cast<double>(count);
  // Subsequences without a neighbour (NaN) draw no arc, so fewer arcs are expected: scaled by the
  // share that do. 1 for a finite series, as in stumpy; 0 arcs gives a flat CAC, not a "change".
  const double drawn_share = count > 0 ? static_cast<double>(arcs->arcs) / n : 0.0;
  // Positions within `edge` of either end stay 1: arcs there are few by construction.
  for (size_t i = edge; i + edge < count; ++i) {
    const double x = static_cast<double>(i);
    // Expected crossings if every neighbour were uniformly random: the parabola 2 i (n - i) / n.
    const double idealized = 2.0 * x * (n - x) / n * drawn_share;
    if (idealized > 0) cac[i] = std::min(arcs->crossing[i] / idealized, 1.0);
  }

  // stumpy's regime extraction: take the lowest CAC, blank out exclusion_factor * window around
  // it, repeat.
  std::vector<double> remaining = cac;
  for (size_t r = 1; r < options.regimes; ++r) {
    const auto lowest = std::min_element(remaining.begin(), remaining.end());
    if (lowest == remaining.end() || !(*lowest < 1.0)) break;
    const auto boundary = static_cast<size_t>(lowest - remaining.begin());
    segmentation.boundaries.push_back(boundary);
    const size_t blank_begin = boundary > edge ? boundary - edge : 0;
    const size_t blank_end = std::min(boundary + edge, count);
    std::fill(remaining.begin() + static_cast<std::ptrdiff_t>(blank_begin),
              remaining.begin() + static_cast<std::ptrdiff_t>(blank_end), 1.0);
  }
  if (!segmentation.boundaries.empty()) segmentation.min_cac = cac[segmentation.boundaries.front()];
  return segmentation;
}

}  // namespace wattcast
