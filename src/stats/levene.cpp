#include "stats/levene.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include <boost/math/distributions/fisher_f.hpp>

#include "stats/descriptive.h"

namespace wattcast::stats {

Result<Levene> levene(const Groups& groups, const std::vector<std::string>& names) {
  constexpr const char* kTest = "Levene";
  if (Status valid = check_groups(kTest, groups, names, kLeveneMinGroups, kLeveneMinGroupSize); !valid) return valid.error();

  // z_ij = |x_ij - median_i|; W = (N - k) sum_i n_i (zbar_i - zbar)^2 / ((k - 1) sum_ij (z_ij - zbar_i)^2).
  std::vector<std::vector<double>> deviations;
  std::vector<double> group_means;
  double total = 0, grand_sum = 0;
  for (const auto& group : groups) {
    std::vector<double> sorted = group;
    std::sort(sorted.begin(), sorted.end());
    const double median = linear_percentile(sorted, 0.5);
    std::vector<double> z(group.size());
    std::transform(group.begin(), group.end(), z.begin(), [median](double v) { return std::abs(v - median); });
    const double sum = std::accumulate(z.begin(), z.end(), 0.0);
    group_means.push_back(sum / static_cast<double>(z.size()));
    grand_sum += sum;
    total += static_cast<double>(z.size());
    deviations.push_back(std::move(z));
  }
  const double grand_mean = grand_sum / total;
  double between = 0, within = 0;
  for (size_t g = 0; g < groups.size(); ++g) {
    between += static_cast<double>(deviations[g].size()) * (group_means[g] - grand_mean) * (group_means[g] - grand_mean);
    for (double z : deviations[g]) within += (z - group_means[g]) * (z - group_means[g]);
  }
  if (!(within > 0)) {
    return Error{"Levene: the absolute deviations from the median do not vary within any group (e.g. all values equal); "
                 "W is undefined"};
  }
  Levene result;
  result.df_between = static_cast<double>(groups.size()) - 1;
  result.df_within = total - static_cast<double>(groups.size());
  result.w = (result.df_within / result.df_between) * between / within;
  result.p = boost::math::cdf(boost::math::complement(boost::math::fisher_f(result.df_between, result.df_within), result.w));
  return result;
}

}  // namespace wattcast::stats
