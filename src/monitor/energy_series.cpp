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

EnergySeries energy_series(const std::vector<const SampleRecord*>& samples, bool* from_counter) {
  EnergySeries series;
  *from_counter = !samples.empty() && samples.front()->reading.energy_j.has_value();
  double integrated = 0;
  // Samples without a power figure (a failed read) are skipped: the trapezoid bridges them, as it
  // bridges a gap with no samples at all.
  const SampleRecord* previous_finite = nullptr;
  for (const SampleRecord* s : samples) {
    const bool has_power = std::isfinite(s->reading.power_w);
    double energy;
    if (*from_counter && s->reading.energy_j) {
      energy = *s->reading.energy_j;
    } else {
      if (previous_finite && has_power) {
        integrated += 0.5 * (previous_finite->reading.power_w + s->reading.power_w) * (s->t_s - previous_finite->t_s);
      }
      energy = integrated;
    }
    if (has_power || s->reading.energy_j) {
      series.t_s.push_back(s->t_s);
      series.energy_j.push_back(energy);
    }
    if (has_power) previous_finite = s;
  }
  return series;
}

}  // namespace wattcast
