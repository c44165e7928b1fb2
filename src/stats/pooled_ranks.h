#pragma once
// The groups of a k-sample rank test pooled and ranked together: Kruskal-Wallis and its
// post-hoc Dunn test rank the same way and share the tie correction.

#include <string_view>
#include <vector>

#include "core/result.h"
#include "stats/input_checks.h"
#include "stats/ranks.h"

namespace wattcast::stats {

struct PooledRanks {
  Ranking ranking;                 // ranks of all values, group after group
  std::vector<double> mean_ranks;  // per group
  double total = 0;                // N
  double tie_correction = 1;       // 1 - sum (t^3 - t) / (N^3 - N), in (0, 1]
};

// Errors (naming `test`) when every value is equal: the tie correction is 0 and no rank test is
// defined. Groups must already be checked (non-empty, finite).
Result<PooledRanks> pool_and_rank(std::string_view test, const Groups& groups);

}  // namespace wattcast::stats
