#include "project/fluss_detector.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "core/human_numbers.h"
#include "analysis/fluss.h"
#include "analysis/matrix_profile.h"

namespace wattcast {

namespace {

// Averages the trace over bins of `point_s`; a bin with no finite sample stays NaN (a gap).
std::vector<double> resample(const PowerTrace& trace, double point_s) {
  const double group = point_s / trace.bin_s;
  std::vector<double> out;
  for (size_t start = 0;; ++start) {
    const auto first = static_cast<size_t>(std::llround(static_cast<double>(start) * group));
    const auto last = static_cast<size_t>(std::llround(static_cast<double>(start + 1) * group));
    if (last > trace.power_w.size() || last <= first) break;
    double sum = 0;
    int finite = 0;
    for (size_t i = first; i < last; ++i) {
      if (std::isfinite(trace.power_w[i])) {
        sum += trace.power_w[i];
        ++finite;
      }
    }
    out.push_back(finite > 0 ? sum / finite : std::nan(""));
  }
  return out;
}

double median_epoch_s(const std::vector<EpochRecord>& epochs) {
  std::vector<double> durations;
  for (const auto& e : epochs) {
    if (e.duration_s() > 0) durations.push_back(e.duration_s());
  }
  if (durations.empty()) return 0;
  std::nth_element(durations.begin(), durations.begin() + static_cast<std::ptrdiff_t>(durations.size() / 2), durations.end());
  return durations[durations.size() / 2];
}

int epoch_starting_nearest(const std::vector<EpochRecord>& epochs, double t_s) {
  int best = 1;
  double best_distance = INFINITY;
  for (const auto& e : epochs) {
    if (std::abs(e.start_s - t_s) < best_distance) {
      best_distance = std::abs(e.start_s - t_s);
      best = e.epoch;
    }
  }
  return best;
}

}  // namespace

Result<FlussDetector::Segmentation> FlussDetector::segment(const EpochTrace& trace, size_t regimes) const {
  if (trace.power.power_w.empty() || trace.power.bin_s <= 0) {
    return Error{"FLUSS needs the power trace over time, and " + trace.source + " has only per-epoch figures"};
  }
  if (static_cast<int>(trace.epochs.size()) < options_.min_epochs) {
    return Error{fmt::format("FLUSS: {} epoch(s) seen, needs at least {}", trace.epochs.size(), options_.min_epochs)};
  }
  const double epoch_s = median_epoch_s(trace.epochs);
  if (epoch_s <= 0) return Error{"FLUSS: every epoch has zero length"};
  Segmentation s;
  s.point_s = std::max(trace.power.bin_s, epoch_s / options_.points_per_epoch);
  s.power_w = resample(trace.power, s.point_s);
  s.window_points = static_cast<size_t>(std::max(3.0, std::round(options_.window_points * epoch_s / options_.points_per_epoch / s.point_s)));
  const size_t finite = static_cast<size_t>(std::count_if(s.power_w.begin(), s.power_w.end(), [](double p) { return std::isfinite(p); }));
  if (finite < s.power_w.size() / 2) return Error{"FLUSS: more than half of the power trace is missing (gaps or NaN samples)"};
  double lo = INFINITY, hi = -INFINITY;
  for (double p : s.power_w) {
    if (!std::isfinite(p)) continue;
    lo = std::min(lo, p);
    hi = std::max(hi, p);
  }
  if (hi - lo <= 1e-9 * std::max(1.0, std::abs(hi))) {
    return Error{"FLUSS: the power trace is constant, so it has no regimes to segment"};
  }
  if (s.power_w.size() < 4 * s.window_points) {
    return Error{fmt::format("FLUSS: the power trace has {} points of {} s, fewer than 4 windows of {} (epochs too short for the sampling)",
                             s.power_w.size(), plain_number(s.point_s, 3), s.window_points)};
  }
  s.exclusion_points = options_.exclusion_factor * s.window_points;
  const size_t room = s.power_w.size() > 2 * s.exclusion_points ? s.power_w.size() - 2 * s.exclusion_points : 0;
  s.max_regimes = room == 0 ? 1 : 2 + (room - 1) / s.exclusion_points;
  auto profile = matrix_profile(s.power_w, s.window_points);
  if (!profile) return Error{"FLUSS: " + profile.error().message};
  FlussOptions fluss_options;
  fluss_options.regimes = regimes;
  fluss_options.exclusion_factor = options_.exclusion_factor;
  auto regimes_found = fluss(profile->index, s.window_points, fluss_options);
  if (!regimes_found) return Error{"FLUSS: " + regimes_found.error().message};
  s.corrected_arc_curve = std::move(regimes_found->corrected_arc_curve);
  s.boundaries = std::move(regimes_found->boundaries);
  s.min_cac = regimes_found->min_cac;
  for (size_t b : s.boundaries) s.boundary_epochs.push_back(epoch_starting_nearest(trace.epochs, static_cast<double>(b) * s.point_s));
  return s;
}

Result<Stabilization> FlussDetector::detect(const EpochTrace& trace) const {
  auto s = segment(trace);
  if (!s) return s.error();
  if (s->boundaries.empty() || s->min_cac > options_.max_cac) {
    return Error{fmt::format("FLUSS: no clear regime change in the power trace (lowest corrected arc curve {:.2f}, above {:.2f})",
                             s->min_cac, options_.max_cac)};
  }
  const int epoch = s->boundary_epochs.front();
  return Stabilization{epoch, 1 - s->min_cac, "fluss",
                       fmt::format("regime boundary at {:.0f} s (corrected arc curve {:.2f}), nearest epoch start: epoch {}",
                                   static_cast<double>(s->boundaries.front()) * s->point_s, s->min_cac, epoch)};
}

}  // namespace wattcast
