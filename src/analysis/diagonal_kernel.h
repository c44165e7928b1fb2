#pragma once
// The O(n^2) heart of the matrix profile: a sweep over a block of adjacent diagonals of the
// correlation matrix, row by row, so the covariance updates of the block's diagonals are
// independent and fill SIMD lanes (the mpx layout).

#include <cstddef>
#include <cstdint>
#include <vector>

#include "analysis/subsequence_stats.h"

namespace wattcast {

// Diagonals per block: the block's covariances and the row it touches in five arrays (5 x 128 x 8
// bytes) stay in L1.
inline constexpr size_t kDiagonalsPerBlock = 128;

// The best Pearson correlation seen so far for each subsequence and where (-inf and -1: none).
// One per thread; merged at the end.
struct CorrelationProfile {
  std::vector<double> correlation;
  std::vector<int64_t> index;

  explicit CorrelationProfile(size_t count);
  // Keeps the higher correlation; on a tie the lower index, so merges do not depend on order.
  void merge(const CorrelationProfile& other);
};

enum class KernelIsa { kPortable, kAvx2, kAvx512 };

bool kernel_isa_supported(KernelIsa isa);
// The best kernel this CPU runs: AVX-512F, else AVX2 with FMA, else portable.
KernelIsa best_kernel_isa();

// Folds the correlations of every cell on diagonals [first_diagonal, first_diagonal + count)
// (diagonal d holds the pairs (i, i + d)) into `profile`, both ways: row i learns about i + d and
// column i + d about i. count <= kDiagonalsPerBlock; first_diagonal >= 1; `isa` supported.
void sweep_diagonal_block(const SubsequenceStats& stats, size_t first_diagonal, size_t count, KernelIsa isa,
                          CorrelationProfile& profile);

}  // namespace wattcast
