#include "stats/kruskal_wallis.h"

#include <boost/math/distributions/chi_squared.hpp>

#include "stats/pooled_ranks.h"

namespace wattcast::stats {

Result<KruskalWallis> kruskal_wallis(const Groups& groups, const std::vector<std::string>& names) {
  constexpr const char* kTest = "Kruskal-Wallis";
  if (Status valid = check_groups(kTest, groups, names, kKruskalMinGroups, kKruskalMinGroupSize); !valid) return valid.error();
  auto pooled = pool_and_rank(kTest, groups);
  if (!pooled) return pooled.error();

  // H = 12 / (N (N + 1)) sum_i n_i (Rbar_i - (N + 1) / 2)^2, the deviation form of
  // 12 / (N (N + 1)) sum_i R_i^2 / n_i - 3 (N + 1) (no cancellation), divided by
  // C = 1 - sum (t^3 - t) / (N^3 - N).
  const double n = pooled->total;
  const double centre = (n + 1) / 2;
  double spread = 0;
  for (size_t g = 0; g < groups.size(); ++g) {
    const double deviation = pooled->mean_ranks[g] - centre;
    spread += static_cast<double>(groups[g].size()) * deviation * deviation;
  }
  KruskalWallis result;
  const double k = static_cast<double>(groups.size());
  result.df = k - 1;
  result.h = 12.0 / (n * (n + 1)) * spread / pooled->tie_correction;
  result.p = boost::math::cdf(boost::math::complement(boost::math::chi_squared(result.df), result.h));
  result.eta_squared = (result.h - k + 1) / (n - k);
  return result;
}

}  // namespace wattcast::stats
