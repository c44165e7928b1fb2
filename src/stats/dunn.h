#pragma once
// Dunn's post-hoc test (Dunn 1964) after Kruskal-Wallis: every pair of groups compared by the
// difference of their mean ranks in the pooled ranking, with the tie-corrected variance
//   sigma_ij^2 = (N (N + 1) / 12 - sum (t^3 - t) / (12 (N - 1))) (1 / n_i + 1 / n_j),
// a two-sided normal p, and p adjusted for the k (k - 1) / 2 comparisons by Bonferroni and by
// Holm (step-down). SciPy has no Dunn test; the figures match the formula and scikit-posthocs'
// posthoc_dunn.

#include <string>
#include <vector>

#include "core/result.h"
#include "stats/input_checks.h"

namespace wattcast::stats {

struct DunnPair {
  size_t first = 0;   // group indices, first < second
  size_t second = 0;
  double mean_rank_difference = 0;  // mean rank of first minus mean rank of second
  double z = 0;                     // signed like the difference
  double p = 0;                     // unadjusted, two-sided
  double p_bonferroni = 0;          // min(1, m p)
  double p_holm = 0;                // step-down, monotone in p, capped at 1
};

struct Dunn {
  std::vector<double> mean_ranks;  // per group
  std::vector<DunnPair> pairs;     // (0,1), (0,2), ..., (1,2), ...: all k (k - 1) / 2 pairs
};

// Same requirements as kruskal_wallis: 2 or more groups of 2 or more finite values, not all equal.
Result<Dunn> dunn(const Groups& groups, const std::vector<std::string>& names = {});

// Holm's step-down adjustment of a family of p-values (in any order; returned in the same order):
// the i-th smallest becomes max over j <= i of min(1, (m - j + 1) p_(j)).
std::vector<double> holm_adjust(const std::vector<double>& p_values);

}  // namespace wattcast::stats
