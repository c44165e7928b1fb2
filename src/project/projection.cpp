#include "project/projection.h"

#include <cmath>
#include <numeric>

#include <boost/math/distributions/students_t.hpp>
#include <fmt/format.h>

#include "core/human_numbers.h"
#include "project/phase_signal.h"
#include "project/run_overhead.h"

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
  const int seen = trace.epochs_seen();
  const int folded = trace.folded.count;
  const int w = options.window;
  if (w < 2) return Error{"window: needs at least 2 epochs (the interval comes from their spread)"};
  if (total_epochs < seen) return Error{fmt::format("the run has {} epochs already, more than the {} expected", seen, total_epochs)};
  const int stable_seen = seen - stabilization.epoch + 1;
  if (stable_seen < w) {
    return Error{fmt::format("{} stable epoch(s) seen from epoch {} ({}), the window needs {}", std::max(0, stable_seen),
                             stabilization.epoch, stabilization.detector, w)};
  }
  const int first = options.window_first.value_or(seen - w + 1);
  if (first < stabilization.epoch || first <= folded || first + w - 1 > seen) {
    return Error{fmt::format("window start {}: must lie within the stable epochs seen ({}-{})", first, stabilization.epoch, seen - w + 1)};
  }
  // Each epoch of the window with the gap before it (checkpoints, logging), which the epochs
  // to come will have too; the first epoch's is the run's start-up, which they will not.
  std::vector<double> energies, durations, powers, gaps_j;
  bool has_durations = true;
  for (int e = first; e < first + w; ++e) {
    const EpochRecord& epoch = epochs[static_cast<size_t>(e - 1 - folded)];
    const double gap_j = e > 1 ? epoch.energy_before_j : 0.0;
    energies.push_back(epoch.energy_j + gap_j);
    gaps_j.push_back(gap_j);
    durations.push_back(epoch.duration_s());
    if (epoch.duration_s() <= 0) has_durations = false;
    powers.push_back(epoch.mean_power_w());
  }
  double seen_s = trace.folded.duration_s, outside_j = trace.folded.outside_j;
  for (const auto& epoch : epochs) {
    seen_s += epoch.duration_s();
    outside_j += epoch.energy_before_j;
  }
  const double measured_j = trace.measured_j();
  const TeardownAllowance teardown = teardown_allowance(trace);
  const int remaining = total_epochs - seen;
  const double t = t_quantile(options.interval, w - 1);
  // The remaining epochs' sum: its mean is estimated from w epochs, and each remaining epoch
  // varies on its own, hence sqrt(1/w + 1/remaining) in units of one epoch's spread.
  auto sum_half_width = [&](const Spread& s) {
    return remaining > 0 ? t * s.sd * remaining * std::sqrt(1.0 / w + 1.0 / remaining) : 0.0;
  };
  const std::string switch_reason = remaining > 0 ? switch_still_possible(trace, options.switch_horizon_epoch) : "";
  // Energy the remaining epochs may use beyond the window's level if a phase switch comes.
  auto switch_headroom = [&](double remaining_j) { return switch_reason.empty() ? 0.0 : (options.switch_energy_factor - 1) * remaining_j; };
  const std::string wide_because =
      switch_reason.empty() ? ""
                            : fmt::format("{}: the upper bound lets the remaining epochs use up to {} times the window's energy",
                                          switch_reason, plain_number(options.switch_energy_factor));

  ProjectionSet out;
  const Spread energy = spread(energies);
  const Spread duration = spread(durations);
  Projection by_energy;
  by_energy.method = "epoch-energy";
  const double remaining_j = remaining * energy.mean;
  by_energy.energy_j = measured_j + remaining_j + teardown.expected_j;
  const double energy_half = sum_half_width(energy);
  by_energy.low_j = measured_j + teardown.low_j + std::max(0.0, remaining_j - energy_half);
  by_energy.high_j = measured_j + teardown.high_j + remaining_j + energy_half + switch_headroom(remaining_j);
  by_energy.duration_s = seen_s + remaining * duration.mean;
  out.projections.push_back(by_energy);

  if (has_durations) {
    const Spread power = spread(powers);
    Projection by_power;
    by_power.method = "power";
    by_power.duration_s = seen_s + remaining * duration.mean;
    double window_epochs_j = 0;
    for (size_t i = 0; i < energies.size(); ++i) window_epochs_j += energies[i] - gaps_j[i];
    const double window_power_w = window_epochs_j / std::accumulate(durations.begin(), durations.end(), 0.0);
    const double mean_gap_j = std::accumulate(gaps_j.begin(), gaps_j.end(), 0.0) / static_cast<double>(gaps_j.size());
    const double epochs_j = window_power_w * by_power.duration_s;
    const double outside_to_come_j = outside_j + remaining * mean_gap_j;
    by_power.energy_j = epochs_j + outside_to_come_j + teardown.expected_j;
    // Relative errors of the mean power and of the projected duration, added in quadrature.
    const double power_rel = power.mean > 0 ? t * power.sd / std::sqrt(w) / power.mean : 0;
    const double duration_rel = by_power.duration_s > 0 ? sum_half_width(duration) / by_power.duration_s : 0;
    const double half = epochs_j * std::hypot(power_rel, duration_rel);
    const double remaining_epochs_j = window_power_w * remaining * duration.mean;
    by_power.low_j = std::max(measured_j, epochs_j - half + outside_to_come_j) + teardown.low_j;
    by_power.high_j = epochs_j + half + outside_to_come_j + teardown.high_j + switch_headroom(remaining_epochs_j);
    out.projections.push_back(by_power);
  } else {
    out.notes.push_back("zero-length epochs in the window: no power-based projection (power is energy / duration)");
  }
  for (auto& p : out.projections) {
    p.window_first = first;
    p.window_last = first + w - 1;
    p.epochs_seen = seen;
    p.total_epochs = total_epochs;
    p.measured_j = measured_j;
    p.teardown_j = teardown.expected_j;
    p.wide_because = wide_because;
  }
  return out;
}

}  // namespace wattcast
