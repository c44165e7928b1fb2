#include "stats/pooled_ranks.h"

#include <numeric>

#include <fmt/format.h>

namespace wattcast::stats {

Result<PooledRanks> pool_and_rank(std::string_view test, const Groups& groups) {
  std::vector<double> pooled;
  for (const auto& group : groups) pooled.insert(pooled.end(), group.begin(), group.end());
  auto ranking = rank_average(pooled);
  if (!ranking) return Error{fmt::format("{}: {}", test, ranking.error().message)};

  PooledRanks result;
  result.total = static_cast<double>(pooled.size());
  const double n = result.total;
  result.tie_correction = 1.0 - ranking->tie_term() / (n * n * n - n);
  if (!(result.tie_correction > 0)) {
    return Error{fmt::format("{}: all {} values are equal; a rank test is undefined without differences", test, pooled.size())};
  }
  size_t offset = 0;
  for (const auto& group : groups) {
    const auto begin = ranking->ranks.begin() + static_cast<std::ptrdiff_t>(offset);
    const double sum = std::accumulate(begin, begin + static_cast<std::ptrdiff_t>(group.size()), 0.0);
    result.mean_ranks.push_back(sum / static_cast<double>(group.size()));
    offset += group.size();
  }
  result.ranking = std::move(ranking).value();
  return result;
}

}  // namespace wattcast::stats
