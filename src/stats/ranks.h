#pragma once
// Average ranks with ties, shared by the rank tests (Kruskal-Wallis, Dunn, Mann-Whitney,
// Spearman): equal values share the mean of the ranks they occupy, as
// scipy.stats.rankdata(method='average').

#include <cstddef>
#include <span>
#include <vector>

#include "core/result.h"

namespace wattcast::stats {

struct Ranking {
  std::vector<double> ranks;      // 1-based, in input order
  std::vector<size_t> tie_sizes;  // size t of every group of equal values with t > 1

  // sum over tie groups of t^3 - t: the tie correction term of the rank tests' variances.
  double tie_term() const;
};

// Errors on a non-finite value.
Result<Ranking> rank_average(std::span<const double> values);

}  // namespace wattcast::stats
