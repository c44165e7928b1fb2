#pragma once
// Exact self-join matrix profile: for each length-m subsequence of a series, the z-normalized
// Euclidean distance to its nearest neighbour outside the trivial-match exclusion zone, and that
// neighbour's start index. Conventions follow stumpy.stump; see docs/SEGMENTATION.md.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "core/result.h"

namespace wattcast {

struct MatrixProfile {
  size_t window = 0;
  size_t exclusion_zone = 0;       // pairs with |i - j| <= exclusion_zone are never neighbours
  std::vector<double> distance;    // one per subsequence (n - window + 1); +inf when none
  std::vector<int64_t> index;      // nearest neighbour's start; -1 when none
};

struct MatrixProfileOptions {
  std::optional<size_t> exclusion_zone;  // default ceil(window / 4), as stumpy
  unsigned threads = 0;                  // 0: std::thread::hardware_concurrency()
  bool use_simd = true;                  // false forces the portable kernel (tests cover both)
};

// O(n^2) time (STOMP/mpx diagonal updates), O(n * threads) memory.
// Errors: window < 3, or window > series.size() / 2.
// Subsequences containing NaN or inf get distance +inf and index -1, and are nobody's neighbour.
// Two constant subsequences are at distance 0; a constant and a non-constant one at sqrt(window).
Result<MatrixProfile> matrix_profile(std::span<const double> series, size_t window, const MatrixProfileOptions& options = {});

// The same profile by brute force, z-normalizing every pair: O(n^2 window), single-threaded. The
// reference for tests and benchmarks. On ties it reports the lowest neighbour index.
Result<MatrixProfile> naive_matrix_profile(std::span<const double> series, size_t window,
                                           const MatrixProfileOptions& options = {});

}  // namespace wattcast
