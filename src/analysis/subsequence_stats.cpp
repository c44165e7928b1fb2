#include "analysis/subsequence_stats.h"

#include <cmath>
#include <limits>

namespace wattcast {
namespace {

// Rolling means and sums of squares drift; recomputing them exactly every this many subsequences
// keeps the drift at a few ulps for O(n m / 64) extra work.
constexpr size_t kExactStatsEvery = 64;

struct MeanAndSquares {
  double mean;
  double sum_squares;  // sum (x - mean)^2
};

MeanAndSquares exact_mean_and_squares(const double* x, size_t window) {
  double sum = 0;
  for (size_t t = 0; t < window; ++t) sum += x[t];
  const double mean = sum / static_cast<double>(window);
  double squares = 0;
  for (size_t t = 0; t < window; ++t) squares += (x[t] - mean) * (x[t] - mean);
  return {mean, squares};
}

}  // namespace

SubsequenceStats compute_subsequence_stats(std::span<const double> series, size_t window) {
  SubsequenceStats stats;
  stats.window = window;
  const size_t n = series.size();
  const size_t count = n - window + 1;
  const double m = static_cast<double>(window);

  stats.finite_series.resize(n);
  std::vector<size_t> non_finite_up_to(n + 1, 0);  // prefix count of non-finite samples
  std::vector<size_t> equal_run(n, 1);             // length of the run of equal samples ending here
  for (size_t k = 0; k < n; ++k) {
    const bool finite = std::isfinite(series[k]);
    stats.finite_series[k] = finite ? series[k] : 0.0;
    non_finite_up_to[k + 1] = non_finite_up_to[k] + (finite ? 0 : 1);
    if (k > 0 && finite && series[k] == series[k - 1]) equal_run[k] = equal_run[k - 1] + 1;
  }

  stats.mean.resize(count);
  stats.inverse_norm.resize(count);
  stats.kind.resize(count);
  const double* x = stats.finite_series.data();
  std::vector<double> sum_squares(count);
  for (size_t i = 0; i < count; ++i) {
    if (i % kExactStatsEvery == 0) {
      const MeanAndSquares exact = exact_mean_and_squares(x + i, window);
      stats.mean[i] = exact.mean;
      sum_squares[i] = exact.sum_squares;
    } else {
      const double entering = x[i + window - 1];
      const double leaving = x[i - 1];
      stats.mean[i] = stats.mean[i - 1] + (entering - leaving) / m;
      sum_squares[i] = sum_squares[i - 1] +
                       (entering - leaving) * (entering - stats.mean[i] + leaving - stats.mean[i - 1]);
    }
  }

  const double nan = std::numeric_limits<double>::quiet_NaN();
  for (size_t i = 0; i < count; ++i) {
    if (non_finite_up_to[i + window] != non_finite_up_to[i]) {
      stats.kind[i] = SubsequenceKind::kNonFinite;
    } else if (equal_run[i + window - 1] >= window) {
      stats.kind[i] = SubsequenceKind::kConstant;
    } else {
      // A rolling sum of squares can cancel to ~0 for a nearly flat but non-constant subsequence.
      double squares = sum_squares[i];
      if (!(squares > 1e-12 * (stats.mean[i] * stats.mean[i] * m))) squares = exact_mean_and_squares(x + i, window).sum_squares;
      stats.kind[i] = squares > 0 ? SubsequenceKind::kRegular : SubsequenceKind::kConstant;
      if (squares > 0) stats.inverse_norm[i] = 1.0 / std::sqrt(squares);
    }
    if (stats.kind[i] != SubsequenceKind::kRegular) stats.inverse_norm[i] = nan;
  }

  stats.df.assign(count, 0.0);
  stats.dg.assign(count, 0.0);
  for (size_t i = 1; i < count; ++i) {
    const double entering = x[i + window - 1];
    const double leaving = x[i - 1];
    stats.df[i] = (entering - leaving) / 2;
    stats.dg[i] = (entering - stats.mean[i]) + (leaving - stats.mean[i - 1]);
  }
  return stats;
}

double centered_cross_product(const SubsequenceStats& stats, size_t i, size_t j) {
  const double* a = stats.finite_series.data() + i;
  const double* b = stats.finite_series.data() + j;
  const double mean_a = stats.mean[i];
  const double mean_b = stats.mean[j];
  double sum = 0;
  for (size_t t = 0; t < stats.window; ++t) sum += (a[t] - mean_a) * (b[t] - mean_b);
  return sum;
}

double z_normalized_distance(const SubsequenceStats& stats, size_t i, size_t j) {
  const double* a = stats.finite_series.data() + i;
  const double* b = stats.finite_series.data() + j;
  const MeanAndSquares sa = exact_mean_and_squares(a, stats.window);
  const MeanAndSquares sb = exact_mean_and_squares(b, stats.window);
  const double scale_a = 1.0 / std::sqrt(sa.sum_squares);
  const double scale_b = 1.0 / std::sqrt(sb.sum_squares);
  double sum = 0;
  for (size_t t = 0; t < stats.window; ++t) {
    const double diff = (a[t] - sa.mean) * scale_a - (b[t] - sb.mean) * scale_b;
    sum += diff * diff;
  }
  // z = (x - mean) / std with std = sqrt(sum_squares / m), hence the factor m.
  return std::sqrt(sum * static_cast<double>(stats.window));
}

}  // namespace wattcast
