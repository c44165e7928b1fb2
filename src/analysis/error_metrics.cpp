#include "analysis/error_metrics.h"

#include <cmath>
#include <numeric>

namespace wattcast {

void ErrorAccumulator::add(double actual, double predicted, const std::optional<Interval>& interval_90) {
  actual_.push_back(actual);
  predicted_.push_back(predicted);
  if (interval_90) {
    ++with_interval_;
    if (actual >= interval_90->lo && actual <= interval_90->hi) ++covered_;
    width_sum_ += (interval_90->hi - interval_90->lo) / predicted;
  }
}

ErrorMetrics ErrorAccumulator::finish() const {
  ErrorMetrics m;
  m.count = actual_.size();
  if (m.count == 0) return m;
  const double n = static_cast<double>(m.count);
  const double mean_actual = std::accumulate(actual_.begin(), actual_.end(), 0.0) / n;
  double squared = 0, absolute = 0, relative = 0, total = 0;
  for (size_t i = 0; i < m.count; ++i) {
    const double error = predicted_[i] - actual_[i];
    squared += error * error;
    absolute += std::abs(error);
    relative += std::abs(error) / std::abs(actual_[i]);
    total += (actual_[i] - mean_actual) * (actual_[i] - mean_actual);
  }
  m.rmse = std::sqrt(squared / n);
  m.mae = absolute / n;
  m.mape_pct = 100.0 * relative / n;
  m.r2 = total > 0 ? 1.0 - squared / total : 0.0;
  if (with_interval_ > 0) {
    m.coverage_90_pct = 100.0 * static_cast<double>(covered_) / static_cast<double>(with_interval_);
    m.mean_width_90_pct = 100.0 * width_sum_ / static_cast<double>(with_interval_);
  }
  return m;
}

}  // namespace wattcast
