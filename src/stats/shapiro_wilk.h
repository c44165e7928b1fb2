#pragma once
// Shapiro-Wilk test of normality, Royston's approximation (Royston 1995, "Remark AS R94",
// Applied Statistics 44(4)), as scipy.stats.shapiro: n from 3 to 5000; exact p for n = 3.
//
// Computed in double precision. SciPy 1.10 runs the same algorithm in single precision, so its
// W agrees with this one to about 1e-6 relative and its p to about 1e-3 relative for large n
// (see docs/STATISTICS.md).

#include <cstddef>
#include <span>

#include "core/result.h"

namespace wattcast::stats {

inline constexpr size_t kShapiroWilkMinSize = 3;
inline constexpr size_t kShapiroWilkMaxSize = 5000;  // the range Royston fitted his p approximation on

struct ShapiroWilk {
  double w = 0;  // in (0, 1]; near 1 for normal data
  double p = 0;  // small p: evidence against normality
};

// Errors on fewer than 3 or more than 5000 values, a non-finite value, or a sample whose
// values are all equal (W undefined).
Result<ShapiroWilk> shapiro_wilk(std::span<const double> sample);

}  // namespace wattcast::stats
