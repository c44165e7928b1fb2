#include "project/projection.h"

#include <cmath>
#include <numeric>

#include <boost/math/distributions/students_t.hpp>
#include <fmt/format.h>

namespace wattcast {

namespace {

struct Spread {
  double mean = 0;
  double sd = 0;  // sample standard deviation
};

Spread spread(const std::vector<double>& values) {
  Spread s;
  s.mean = std::accumulate(values.begin(), values.end(), 0.0) / static_cast<double>(values.size());
  double squares = 0;
  for (double v : values) squares += (v - s.mean) * (v - s.mean);
  s.sd = values.size() > 1 ? std::sqrt(squares / static_cast<double>(values.size() - 1)) : 0;
  return s;
}

// Two-sided Student t quantile: the window is small, so the normal one would be too narrow.
double t_quantile(double interval, int degrees_of_freedom) {
  const boost::math::students_t t(std::max(1, degrees_of_freedom));
  return boost::math::quantile(t, 0.5 + interval / 2);
}

}  // namespace

Result<ProjectionSet> project_total(const EpochTrace& trace, const Stabilization& stabilization, int total_epochs,
                                    const ProjectionOptions& options) {
  const auto& epochs = trace.epochs;
  const int seen = static_cast<int>(epochs.size());
  const int w = options.window;
  if (w < 2) return Error{"window: needs at least 2 epochs (the interval comes from their spread)"};
  if (total_epochs < seen) return Error{fmt::format("the run has {} epochs already, more than the {} expected", seen, total_epochs)};
  const int stable_seen = seen - stabilization.epoch + 1;
  if (stable_seen < w) {
    return Error{fmt::format("{} stable epoch(s) seen from epoch {} ({}), the window needs {}", std::max(0, stable_seen),
                             stabilization.epoch, stabilization.detector, w)};
  }
  const int first = options.window_first.value_or(seen - w + 1);
  if (first < stabilization.epoch || first + w - 1 > seen) {
    return Error{fmt::format("window start {}: must lie within the stable epochs seen ({}-{})", first, stabilization.epoch, seen - w + 1)};
  }
  std::vector<double> energies, durations, powers;
  bool has_durations = true;
  for (int e = first; e < first + w; ++e) {
    const EpochRecord& epoch = epochs[static_cast<size_t>(e - 1)];
    energies.push_back(epoch.energy_j);
    durations.push_back(epoch.duration_s());
    if (epoch.duration_s() <= 0) has_durations = false;
    powers.push_back(epoch.mean_power_w());
  }
  double seen_j = 0, seen_s = 0;
  for (const auto& epoch : epochs) {
    seen_j += epoch.energy_j;
    seen_s += epoch.duration_s();
  }
  const int remaining = total_epochs - seen;
  const double t = t_quantile(options.interval, w - 1);
  // The remaining epochs' sum: its mean is estimated from w epochs, and each remaining epoch
  // varies on its own, hence sqrt(1/w + 1/remaining) in units of one epoch's spread.
  auto sum_half_width = [&](const Spread& s) {
    return remaining > 0 ? t * s.sd * remaining * std::sqrt(1.0 / w + 1.0 / remaining) : 0.0;
  };

  ProjectionSet out;
  const Spread energy = spread(energies);
  const Spread duration = spread(durations);
  Projection by_energy;
  by_energy.method = "epoch-energy";
  by_energy.energy_j = seen_j + remaining * energy.mean;
  const double energy_half = sum_half_width(energy);
  by_energy.low_j = std::max(seen_j, by_energy.energy_j - energy_half);
  by_energy.high_j = by_energy.energy_j + energy_half;
  by_energy.duration_s = seen_s + remaining * duration.mean;
  out.projections.push_back(by_energy);

  if (has_durations) {
    const Spread power = spread(powers);
    Projection by_power;
    by_power.method = "power";
    by_power.duration_s = seen_s + remaining * duration.mean;
    const double window_power_w = std::accumulate(energies.begin(), energies.end(), 0.0) /
                                  std::accumulate(durations.begin(), durations.end(), 0.0);
    by_power.energy_j = window_power_w * by_power.duration_s;
    // Relative errors of the mean power and of the projected duration, added in quadrature.
    const double power_rel = power.mean > 0 ? t * power.sd / std::sqrt(w) / power.mean : 0;
    const double duration_rel = by_power.duration_s > 0 ? sum_half_width(duration) / by_power.duration_s : 0;
    const double half = by_power.energy_j * std::hypot(power_rel, duration_rel);
    by_power.low_j = std::max(0.0, by_power.energy_j - half);
    by_power.high_j = by_power.energy_j + half;
    out.projections.push_back(by_power);
  } else {
    out.notes.push_back("zero-length epochs in the window: no power-based projection (power is energy / duration)");
  }
  for (auto& p : out.projections) {
    p.window_first = first;
    p.window_last = first + w - 1;
    p.epochs_seen = seen;
    p.total_epochs = total_epochs;
  }
  return out;
}

}  // namespace wattcast
