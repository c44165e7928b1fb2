#include "estimate/conformal_quantile.h"

#include <algorithm>
#include <cmath>

namespace wattcast {

double conformal_quantile(std::vector<double> scores, double coverage) {
  std::sort(scores.begin(), scores.end());
  const double n = static_cast<double>(scores.size());
  const size_t rank = static_cast<size_t>(std::ceil((n + 1.0) * coverage));
  return scores[std::min(rank, scores.size()) - 1];
}

}  // namespace wattcast
