#pragma once
// Kruskal-Wallis H test (one-way ANOVA on ranks), as scipy.stats.kruskal: H divided by the tie
// correction, p from chi-squared with k - 1 degrees of freedom; plus the eta-squared effect size
// (H - k + 1) / (N - k) (Tomczak & Tomczak 2014).

#include <string>
#include <vector>

#include "core/result.h"
#include "stats/input_checks.h"

namespace wattcast::stats {

inline constexpr size_t kKruskalMinGroups = 2;
// SciPy accepts a group of one value, but then the chi-squared approximation and the post-hoc
// comparisons of that group mean nothing: we refuse it.
inline constexpr size_t kKruskalMinGroupSize = 2;

struct KruskalWallis {
  double h = 0;
  double p = 0;
  double df = 0;           // k - 1
  double eta_squared = 0;  // (H - k + 1) / (N - k); may be slightly negative when H < k - 1
};

// Errors on fewer than 2 groups, a group with fewer than 2 values, a non-finite value, or all
// values equal (the tie correction is 0: H undefined).
Result<KruskalWallis> kruskal_wallis(const Groups& groups, const std::vector<std::string>& names = {});

}  // namespace wattcast::stats
