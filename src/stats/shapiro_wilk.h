#pragma once
// Shapiro-Wilk test of normality: Royston's algorithm AS R94 (Applied Statistics 44(4), 1995)
// evaluated as published, in single precision with its companion routines (AS 111 normal
// quantile, AS 66 normal tail, AS 181 polynomials; published_normal.h), after centring the
// sample on its median in double precision. That is what scipy.stats.shapiro computes, and
// W and p agree with it bit for bit, except that p is never reported below 0
// (docs/STATISTICS.md). n from 3 to 5000; exact p for n = 3.

#include <cstddef>
#include <span>

#include "core/result.h"

namespace wattcast::stats {

inline constexpr size_t kShapiroWilkMinSize = 3;
inline constexpr size_t kShapiroWilkMaxSize = 5000;  // the range Royston fitted his p approximation on

// Both are single-precision figures (7 significant digits) held as doubles. p underflows to
// 0 below about 1.4e-45 and keeps fewer digits below 1.2e-38 (single-precision subnormals).
struct ShapiroWilk {
  double w = 0;  // in (0, 1]; near 1 for normal data
  double p = 0;  // in [0, 1]; small p: evidence against normality
};

// Errors on fewer than 3 or more than 5000 values, a non-finite value, or a sample whose
// values are all equal (W undefined).
Result<ShapiroWilk> shapiro_wilk(std::span<const double> sample);

}  // namespace wattcast::stats
