#include "stats/dunn.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include <boost/math/distributions/normal.hpp>

#include "stats/kruskal_wallis.h"
#include "stats/pooled_ranks.h"

namespace wattcast::stats {

std::vector<double> holm_adjust(const std::vector<double>& p_values) {
  const size_t m = p_values.size();
  std::vector<size_t> order(m);
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return p_values[a] < p_values[b]; });
  std::vector<double> adjusted(m);
  double running_max = 0;  // keeps the adjusted values in the order of the raw ones
  for (size_t step = 0; step < m; ++step) {
    const double scaled = std::min(1.0, static_cast<double>(m - step) * p_values[order[step]]);
    running_max = std::max(running_max, scaled);
    adjusted[order[step]] = running_max;
  }
  return adjusted;
}

Result<Dunn> dunn(const Groups& groups, const std::vector<std::string>& names) {
  constexpr const char* kTest = "Dunn";
  if (Status valid = check_groups(kTest, groups, names, kKruskalMinGroups, kKruskalMinGroupSize); !valid) return valid.error();
  auto pooled = pool_and_rank(kTest, groups);
  if (!pooled) return pooled.error();

  const double n = pooled->total;
  // Variance of a single rank, less the ties' share; all-equal data was refused above, so > 0.
  const double rank_variance = n * (n + 1) / 12.0 - pooled->ranking.tie_term() / (12.0 * (n - 1));
  const boost::math::normal standard_normal;
  Dunn result;
  result.mean_ranks = pooled->mean_ranks;
  std::vector<double> raw;
  for (size_t i = 0; i < groups.size(); ++i) {
    for (size_t j = i + 1; j < groups.size(); ++j) {
      DunnPair pair;
      pair.first = i;
      pair.second = j;
      pair.mean_rank_difference = result.mean_ranks[i] - result.mean_ranks[j];
      const double sigma = std::sqrt(rank_variance * (1.0 / static_cast<double>(groups[i].size()) +
                                                      1.0 / static_cast<double>(groups[j].size())));
      pair.z = pair.mean_rank_difference / sigma;
      pair.p = std::min(1.0, 2.0 * boost::math::cdf(boost::math::complement(standard_normal, std::abs(pair.z))));
      raw.push_back(pair.p);
      result.pairs.push_back(pair);
    }
  }
  const std::vector<double> holm = holm_adjust(raw);
  const double comparisons = static_cast<double>(raw.size());
  for (size_t c = 0; c < result.pairs.size(); ++c) {
    result.pairs[c].p_bonferroni = std::min(1.0, comparisons * raw[c]);
    result.pairs[c].p_holm = holm[c];
  }
  return result;
}

}  // namespace wattcast::stats
