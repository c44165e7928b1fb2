#pragma once
// Levene's test of equal spread, median-centred (Brown & Forsythe 1974), as
// scipy.stats.levene(*groups, center='median'): a one-way ANOVA on |x_ij - median_i|.

#include <string>
#include <vector>

#include "core/result.h"
#include "stats/input_checks.h"

namespace wattcast::stats {

inline constexpr size_t kLeveneMinGroups = 2;
inline constexpr size_t kLeveneMinGroupSize = 2;  // a single value has no spread to compare

struct Levene {
  double w = 0;  // F statistic on the absolute deviations from each group's median
  double p = 0;  // upper tail of F(k - 1, N - k)
  double df_between = 0;
  double df_within = 0;
};

// Errors on fewer than 2 groups, a group with fewer than 2 values, a non-finite value, or no
// spread within any group (every deviation equal to its group's mean: W undefined).
// `names` (optional) label the groups in error messages.
Result<Levene> levene(const Groups& groups, const std::vector<std::string>& names = {});

}  // namespace wattcast::stats
