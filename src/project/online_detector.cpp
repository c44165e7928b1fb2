#include "project/online_detector.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace wattcast {

namespace {

double median(std::vector<double> values) {
  const size_t mid = values.size() / 2;
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(mid), values.end());
  const double upper = values[mid];
  if (values.size() % 2 == 1) return upper;
  return 0.5 * (upper + *std::max_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(mid)));
}

// The median relative difference between values `lag` apart, scaled to the standard deviation
// of one value (for two independent normal values the median absolute difference is 0.954 sd).
// Differences ignore a level shift: it makes one large difference, which the median drops.
double lagged_noise(const std::vector<double>& values, size_t lag) {
  std::vector<double> differences;
  for (size_t i = lag; i < values.size(); ++i) {
    if (values[i - lag] > 0) differences.push_back(std::abs(values[i] / values[i - lag] - 1));
  }
  return differences.empty() ? INFINITY : median(differences) / 0.954;
}

// Sums of `period` consecutive values: a pattern repeating every `period` epochs sums level.
std::vector<double> rolling_sums(const std::vector<double>& values, size_t period) {
  std::vector<double> sums;
  for (size_t i = period - 1; i < values.size(); ++i) {
    double sum = 0;
    for (size_t j = i + 1 - period; j <= i; ++j) sum += values[j];
    sums.push_back(sum);
  }
  return sums;
}

struct Stretch {
  size_t first = 0;  // index of the stretch's first value
  int odd = 0;       // odd values stepped over
  double energy_tolerance = 0, duration_tolerance = 0;
};

Stretch latest_level_stretch(const std::vector<double>& energy, const std::vector<double>& duration, const OnlineDetectorOptions& o) {
  const size_t n = energy.size();
  const size_t recent = std::min(n, static_cast<size_t>(o.recent_epochs));
  const size_t noise_span = std::min(n, static_cast<size_t>(o.noise_epochs));
  auto tail = [](const std::vector<double>& v, size_t count) { return std::vector<double>(v.end() - static_cast<std::ptrdiff_t>(count), v.end()); };
  auto tolerance = [&](const std::vector<double>& v) {
    const auto last = tail(v, noise_span);
    double noise = INFINITY;
    for (size_t lag = 1; lag <= 3 && lag < last.size(); ++lag) noise = std::min(noise, lagged_noise(last, lag));
    return std::clamp(std::isfinite(noise) ? o.noise_multiplier * noise : o.min_tolerance, o.min_tolerance, o.max_tolerance);
  };
  Stretch s;
  s.energy_tolerance = tolerance(energy);
  s.duration_tolerance = tolerance(duration);
  const double level_j = median(tail(energy, recent));
  const double level_s = median(tail(duration, recent));
  auto in_level = [&](size_t i) {
    return std::abs(energy[i] / level_j - 1) <= s.energy_tolerance && std::abs(duration[i] / level_s - 1) <= s.duration_tolerance;
  };
  // Walk back from the latest value while the stretch holds; a lone odd value is stepped over,
  // the latest one included (it may be a validation epoch; if it starts a new level, the next
  // epochs will show it).
  s.first = n;
  for (size_t i = n; i-- > 0;) {
    if (in_level(i)) {
      s.first = i;
    } else if (i > 0 && in_level(i - 1) && (i == n - 1 || in_level(i + 1))) {
      ++s.odd;
    } else {
      break;
    }
  }
  return s;
}

}  // namespace

Result<Stabilization> OnlineDetector::detect(const EpochTrace& trace) const {
  // Only the epochs held: in a long live run the stretch may begin before them, and it is then
  // taken to begin with them (the projection needs only the recent ones).
  const auto& epochs = trace.epochs;
  const size_t k = epochs.size();
  if (k < static_cast<size_t>(options_.min_stable_epochs)) {
    return Error{fmt::format("online detector: {} epoch(s) seen, needs at least {}", k, options_.min_stable_epochs)};
  }
  std::vector<double> energy, duration;
  for (const auto& e : epochs) {
    energy.push_back(e.energy_j);
    duration.push_back(e.duration_s());
  }
  if (energy.back() <= 0 || duration.back() <= 0) return Error{"online detector: the latest epoch has no energy or no duration"};
  // The period: the shortest lag whose epoch-to-epoch noise is within 1.5 times the smallest.
  const std::vector<double> recent(energy.end() - static_cast<std::ptrdiff_t>(std::min(k, static_cast<size_t>(options_.noise_epochs))), energy.end());
  std::vector<double> noise_by_lag;
  for (size_t lag = 1; lag <= static_cast<size_t>(options_.max_period) && lag + 2 <= recent.size(); ++lag) noise_by_lag.push_back(lagged_noise(recent, lag));
  size_t period = 1;
  if (!noise_by_lag.empty()) {
    const double least = *std::min_element(noise_by_lag.begin(), noise_by_lag.end());
    while (period < noise_by_lag.size() && !(noise_by_lag[period - 1] <= 1.5 * least)) ++period;
  }
  const Stretch s = latest_level_stretch(rolling_sums(energy, period), rolling_sums(duration, period), options_);
  // A sum is level when all its epochs are: the stretch starts at its first sum's first epoch.
  const size_t sums = k - period + 1;
  const int stable_sums = static_cast<int>(sums - s.first);
  const int first_epoch = trace.folded.count + static_cast<int>(s.first) + 1;
  if (stable_sums < options_.min_stable_epochs) {
    return Error{fmt::format("online detector: not stable yet (the last {} epochs are not within {:.1f}% in energy and {:.1f}% in duration)",
                             options_.min_stable_epochs + static_cast<int>(period) - 1, 100 * s.energy_tolerance,
                             100 * s.duration_tolerance)};
  }
  // More epochs in the stretch and fewer odd ones among them: more confidence.
  const double confidence =
      (1.0 - static_cast<double>(s.odd) / stable_sums) * std::min(1.0, stable_sums / (2.0 * options_.min_stable_epochs));
  std::string how = period > 1 ? fmt::format("sums of {} epochs (a pattern repeating every {})", period, period) : "epochs";
  return Stabilization{first_epoch, confidence, "online",
                       fmt::format("{} {}-{} within {:.1f}% (energy) and {:.1f}% (duration) of the recent level, {} odd stepped over",
                                   how, first_epoch, trace.epochs_seen(), 100 * s.energy_tolerance, 100 * s.duration_tolerance, s.odd)};
}

}  // namespace wattcast
