#pragma once
// Mann-Whitney U test of two independent samples, as
// scipy.stats.mannwhitneyu(x, y, alternative='two-sided') with its default method='auto'
// (SciPy 1.10): the exact null distribution of U when the smaller sample has at most 8 values
// and there are no ties; otherwise the normal approximation with tie and continuity
// corrections. Plus Cliff's delta, the effect size (#(x > y) - #(x < y)) / (n_x n_y).

#include <span>

#include "core/result.h"

namespace wattcast::stats {

// SciPy's 'auto' switches to the normal approximation once both samples exceed this.
inline constexpr size_t kMannWhitneyExactMaxSmallerSize = 8;

struct MannWhitney {
  double u = 0;             // U of x: #(x > y) + #(x = y) / 2, as scipy's statistic
  double p = 0;             // two-sided
  bool exact = false;       // exact null distribution (else normal approximation)
  double cliffs_delta = 0;  // in [-1, 1]; positive when x tends to be larger
};

// Errors on an empty sample, a non-finite value, or all values of both samples equal.
Result<MannWhitney> mann_whitney(std::span<const double> x, std::span<const double> y);

// P(U >= u) under the null for samples of sizes m and n without ties (u an integer 0..m n).
double mann_whitney_exact_upper_tail(size_t m, size_t n, double u);

}  // namespace wattcast::stats
