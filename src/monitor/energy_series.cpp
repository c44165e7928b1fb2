#include "monitor/energy_series.h"

#include <algorithm>
#include <cmath>

namespace wattcast {

double EnergySeries::at(double t) const {
  if (t_s.empty()) return 0;
  if (t <= t_s.front()) return energy_j.front();
  if (t >= t_s.back()) return energy_j.back();
  const size_t i = static_cast<size_t>(std::upper_bound(t_s.begin(), t_s.end(), t) - t_s.begin());
  const double share = (t - t_s[i - 1]) / (t_s[i] - t_s[i - 1]);
  return energy_j[i - 1] + share * (energy_j[i] - energy_j[i - 1]);
}

// Samples without a power figure (a failed read) are skipped: the trapezoid bridges them, as it
// bridges a gap with no samples at all.
bool EnergyIntegrator::add(const SampleRecord& s) {
  if (!seen_any_) {
    seen_any_ = true;
    from_counter_ = s.reading.energy_j.has_value();
  }
  const bool has_power = std::isfinite(s.reading.power_w);
  double energy;
  if (from_counter_ && s.reading.energy_j) {
    energy = *s.reading.energy_j;
  } else {
    if (has_previous_power_ && has_power) integrated_j_ += 0.5 * (previous_power_w_ + s.reading.power_w) * (s.t_s - previous_t_s_);
    energy = integrated_j_;
  }
  if (has_power) {
    has_previous_power_ = true;
    previous_power_w_ = s.reading.power_w;
    previous_t_s_ = s.t_s;
  }
  if (!has_power && !s.reading.energy_j) return false;
  if (!started_) first_energy_j_ = energy;
  started_ = true;
  t_s_ = s.t_s;
  energy_j_ = energy;
  return true;
}

EnergySeries energy_series(const std::vector<const SampleRecord*>& samples, bool* from_counter) {
  EnergySeries series;
  EnergyIntegrator integrator;
  for (const SampleRecord* s : samples) {
    if (!integrator.add(*s)) continue;
    series.t_s.push_back(integrator.t_s());
    series.energy_j.push_back(integrator.energy_j());
  }
  *from_counter = integrator.from_counter();
  return series;
}

}  // namespace wattcast
