#pragma once
// Per-subsequence statistics shared by the matrix profile kernels: computed once, O(n), before the
// O(n^2) diagonal sweep.

#include <cstddef>
#include <span>
#include <vector>

namespace wattcast {

// Classification of one length-m subsequence. Non-finite and constant subsequences never enter the
// correlation kernel: their distances follow fixed conventions (see docs/SEGMENTATION.md).
enum class SubsequenceKind : unsigned char { kRegular, kConstant, kNonFinite };

struct SubsequenceStats {
  size_t window = 0;
  // The series with every non-finite sample replaced by 0, so the covariance recurrences stay
  // finite along diagonals that pass through a NaN (their results there are discarded anyway).
  std::vector<double> finite_series;
  std::vector<double> mean;           // per subsequence, of finite_series
  // 1 / sqrt(sum (x - mean)^2) for regular subsequences; NaN for the others, which makes every
  // correlation involving them NaN and so never the maximum.
  std::vector<double> inverse_norm;
  std::vector<SubsequenceKind> kind;
  // The mpx update terms: for a diagonal, cov(i, j) = cov(i-1, j-1) + df[i] dg[j] + df[j] dg[i],
  // with cov the centered (not normalized) sum of products. Index 0 is unused (0).
  std::vector<double> df;
  std::vector<double> dg;

  size_t count() const { return mean.size(); }
};

// Requires 2 <= window <= series.size().
SubsequenceStats compute_subsequence_stats(std::span<const double> series, size_t window);

// Exact centered sum of products sum_t (x[i+t] - mean[i]) (x[j+t] - mean[j]), O(window).
double centered_cross_product(const SubsequenceStats& stats, size_t i, size_t j);

// Exact z-normalized Euclidean distance between two regular subsequences, O(window).
double z_normalized_distance(const SubsequenceStats& stats, size_t i, size_t j);

}  // namespace wattcast
