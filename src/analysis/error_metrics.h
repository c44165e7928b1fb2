#pragma once
// Accuracy of predictions against measurements: RMSE, MAE, MAPE, R^2 and interval coverage.

#include <cstddef>
#include <optional>
#include <vector>

#include "estimate/estimator.h"

namespace wattcast {

struct ErrorMetrics {
  size_t count = 0;
  double rmse = 0;
  double mae = 0;
  double mape_pct = 0;
  double r2 = 0;
  std::optional<double> coverage_90_pct;      // share of measurements inside the 90% interval
  std::optional<double> mean_width_90_pct;    // mean interval width relative to the prediction
};

class ErrorAccumulator {
 public:
  void add(double actual, double predicted, const std::optional<Interval>& interval_90);
  ErrorMetrics finish() const;

 private:
  std::vector<double> actual_;
  std::vector<double> predicted_;
  size_t with_interval_ = 0;
  size_t covered_ = 0;
  double width_sum_ = 0;
};

}  // namespace wattcast
