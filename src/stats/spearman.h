#pragma once
// Spearman's rank correlation, as scipy.stats.spearmanr(x, y): Pearson's correlation of the
// average ranks (ties share ranks), two-sided p from Student's t with n - 2 degrees of freedom,
// t = rho sqrt((n - 2) / (1 - rho^2)).

#include <span>

#include "core/result.h"

namespace wattcast::stats {

inline constexpr size_t kSpearmanMinSize = 3;  // n - 2 degrees of freedom must be positive

struct Spearman {
  double rho = 0;
  double p = 0;
  size_t n = 0;
};

// Errors on samples of different lengths, fewer than 3 pairs, a non-finite value, or a sample
// whose values are all equal (rho undefined).
Result<Spearman> spearman(std::span<const double> x, std::span<const double> y);

}  // namespace wattcast::stats
