// The brute-force reference for matrix_profile (declared in matrix_profile.h). Deliberately shares
// nothing with the fast path but the input checks: every subsequence is z-normalized on its own
// and every pair compared sample by sample.

#include <cmath>
#include <cstdlib>
#include <limits>

#include "analysis/matrix_profile.h"
#include "analysis/matrix_profile_validation.h"

namespace wattcast {
namespace {

enum class Shape { kRegular, kConstant, kNonFinite };

Shape classify(const double* x, size_t window) {
  for (size_t t = 0; t < window; ++t) {
    if (!std::isfinite(x[t])) return Shape::kNonFinite;
  }
  for (size_t t = 1; t < window; ++t) {
    if (x[t] != x[0]) return Shape::kRegular;
  }
  return Shape::kConstant;
}

// (x - mean) / std with the population standard deviation.
std::vector<double> z_normalize(const double* x, size_t window) {
  double mean = 0;
  for (size_t t = 0; t < window; ++t) mean += x[t];
  mean /= static_cast<double>(window);
  double squares = 0;
  for (size_t t = 0; t < window; ++t) squares += (x[t] - mean) * (x[t] - mean);
  const double std_dev = std::sqrt(squares / static_cast<double>(window));
  std::vector<double> z(window);
  for (size_t t = 0; t < window; ++t) z[t] = (x[t] - mean) / std_dev;
  return z;
}

}  // namespace

Result<MatrixProfile> naive_matrix_profile(std::span<const double> series, size_t window,
                                           const MatrixProfileOptions& options) {
  if (Status valid = check_matrix_profile_window(series.size(), window); !valid) return valid.error();
  const size_t count = series.size() - window + 1;
  const size_t zone = options.exclusion_zone.value_or(default_exclusion_zone(window));

  std::vector<Shape> shape(count);
  std::vector<std::vector<double>> normalized(count);
  for (size_t i = 0; i < count; ++i) {
    shape[i] = classify(series.data() + i, window);
    if (shape[i] == Shape::kRegular) normalized[i] = z_normalize(series.data() + i, window);
  }

  MatrixProfile profile;
  profile.window = window;
  profile.exclusion_zone = zone;
  profile.distance.assign(count, std::numeric_limits<double>::infinity());
  profile.index.assign(count, -1);
  const double constant_to_regular = std::sqrt(static_cast<double>(window));
  for (size_t i = 0; i < count; ++i) {
    if (shape[i] == Shape::kNonFinite) continue;
    for (size_t j = 0; j < count; ++j) {
      const size_t gap = i > j ? i - j : j - i;
      if (gap <= zone || shape[j] == Shape::kNonFinite) continue;
      double distance = 0;
      if (shape[i] == Shape::kConstant || shape[j] == Shape::kConstant) {
        distance = shape[i] == shape[j] ? 0.0 : constant_to_regular;
      } else {
        double sum = 0;
        for (size_t t = 0; t < window; ++t) sum += (normalized[i][t] - normalized[j][t]) * (normalized[i][t] - normalized[j][t]);
        distance = std::sqrt(sum);
      }
      if (distance < profile.distance[i]) {
        profile.distance[i] = distance;
        profile.index[i] = static_cast<int64_t>(j);
      }
    }
  }
  return profile;
}

}  // namespace wattcast
