#pragma once
// The half-width of a split-conformal prediction interval, shared by the fitted models.

#include <vector>

namespace wattcast {

// The ceil((n + 1) x coverage)-th smallest of `scores` (absolute residuals on held-out data), so
// that a new exchangeable score falls below it with probability >= coverage.
double conformal_quantile(std::vector<double> scores, double coverage);

}  // namespace wattcast
