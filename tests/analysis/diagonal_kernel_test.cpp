#include "analysis/diagonal_kernel.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <vector>

namespace wattcast {
namespace {

std::vector<double> noisy_series(size_t n, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal;
  std::vector<double> x(n);
  for (auto& v : x) v = 100.0 + normal(rng);
  x[n / 3] = std::numeric_limits<double>::quiet_NaN();  // some subsequences leave the kernel
  for (size_t k = n / 2; k < n / 2 + 30; ++k) x[k] = 7.0;
  return x;
}

CorrelationProfile sweep(const SubsequenceStats& stats, size_t first_diagonal, KernelIsa isa) {
  CorrelationProfile profile(stats.count());
  for (size_t d = first_diagonal; d < stats.count(); d += kDiagonalsPerBlock) {
    sweep_diagonal_block(stats, d, std::min(kDiagonalsPerBlock, stats.count() - d), isa, profile);
  }
  return profile;
}

// Every SIMD kernel this CPU runs agrees with the portable one. Rows longer than 4096 exercise the
// periodic exact recomputation; 1000 - 14 diagonals leave ragged block and row tails.
TEST(DiagonalKernel, SimdKernelsMatchThePortableOne) {
  for (size_t n : {1000, 4500}) {
    const std::vector<double> x = noisy_series(n, static_cast<unsigned>(n));
    const SubsequenceStats stats = compute_subsequence_stats(x, 13);
    const CorrelationProfile portable = sweep(stats, 5, KernelIsa::kPortable);
    for (KernelIsa isa : {KernelIsa::kAvx2, KernelIsa::kAvx512}) {
      if (!kernel_isa_supported(isa)) continue;
      SCOPED_TRACE("isa " + std::to_string(static_cast<int>(isa)) + " n " + std::to_string(n));
      const CorrelationProfile simd = sweep(stats, 5, isa);
      for (size_t i = 0; i < stats.count(); ++i) {
        if (std::isinf(portable.correlation[i])) {
          EXPECT_EQ(simd.correlation[i], portable.correlation[i]) << i;
          EXPECT_EQ(simd.index[i], -1) << i;
          continue;
        }
        EXPECT_NEAR(simd.correlation[i], portable.correlation[i], 1e-12) << i;
        if (simd.index[i] != portable.index[i]) {
          EXPECT_NEAR(simd.correlation[i], portable.correlation[i], 1e-14) << "index differs without a tie at " << i;
        }
      }
    }
  }
}

TEST(DiagonalKernel, NonRegularSubsequencesNeverWin) {
  const std::vector<double> x = noisy_series(600, 3);
  const SubsequenceStats stats = compute_subsequence_stats(x, 10);
  const CorrelationProfile profile = sweep(stats, 3, best_kernel_isa());
  for (size_t i = 0; i < stats.count(); ++i) {
    const int64_t j = profile.index[i];
    if (stats.kind[i] != SubsequenceKind::kRegular) {
      EXPECT_EQ(j, -1) << i;
    } else {
      ASSERT_GE(j, 0) << i;
      EXPECT_EQ(stats.kind[static_cast<size_t>(j)], SubsequenceKind::kRegular) << i;
    }
  }
}

}  // namespace
}  // namespace wattcast
