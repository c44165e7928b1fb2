#pragma once
// Summary of one sample: what `compare` prints next to the tests.

#include <cstddef>
#include <optional>
#include <span>

#include "core/result.h"

namespace wattcast::stats {

struct Descriptive {
  size_t n = 0;
  double mean = 0;
  std::optional<double> sd;  // sample standard deviation (n - 1 denominator); absent for n = 1
  double min = 0;
  double q1 = 0;      // 25th percentile
  double median = 0;  // 50th percentile
  double q3 = 0;      // 75th percentile
  double iqr = 0;     // q3 - q1
  double max = 0;
};

// The value below which `fraction` (0..1) of the sorted sample lies, interpolating linearly
// between neighbours: NumPy's default percentile rule (method='linear', Hyndman & Fan type 7).
// `sorted` must be non-empty and ascending.
double linear_percentile(std::span<const double> sorted, double fraction);

// Errors on an empty sample or a non-finite value.
Result<Descriptive> describe(std::span<const double> sample);

}  // namespace wattcast::stats
