#pragma once
// FLUSS semantic segmentation (Gharghabi et al., 2017) on a matrix profile index: the corrected arc
// curve (CAC) and the regime boundaries at its lowest minima, as stumpy.fluss computes them.

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "core/result.h"

namespace wattcast {

struct FlussOptions {
  size_t regimes = 2;         // boundaries sought: regimes - 1
  size_t exclusion_factor = 5;  // CAC edges and the zone around each boundary: exclusion_factor * window
};

struct RegimeSegmentation {
  // One value per subsequence, in [0, 1]: arcs crossing the position over the arcs expected there
  // without regime change. Low = few neighbours across = a regime change.
  std::vector<double> corrected_arc_curve;
  // Subsequence start indices (= sample indices), strongest (lowest CAC) first. Fewer than
  // regimes - 1 when the CAC is 1 everywhere left to search (no evidence of a change there).
  std::vector<size_t> boundaries;
  double min_cac = 1.0;  // CAC at the strongest boundary; 1 when there is none
};

// profile_index: the matrix profile index (-1 entries carry no arc). window: the subsequence length
// the profile was computed with. O(n). Errors: regimes < 1, window < 1, an index out of range.
// A profile too short for anything outside the edge zones gives a flat CAC and no boundary.
Result<RegimeSegmentation> fluss(std::span<const int64_t> profile_index, size_t window, const FlussOptions& options = {});

}  // namespace wattcast
