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

namespace {

// The trapezoid integral of power up to `s`, bridging samples without a power figure (a failed
// read) as it bridges a gap with no samples at all.
class PowerIntegral {
 public:
  double add(const SampleRecord& s) {
    if (!std::isfinite(s.reading.power_w)) return integral_j_;
    if (has_previous_) integral_j_ += 0.5 * (previous_power_w_ + s.reading.power_w) * (s.t_s - previous_t_s_);
    has_previous_ = true;
    previous_power_w_ = s.reading.power_w;
    previous_t_s_ = s.t_s;
    return integral_j_;
  }

 private:
  bool has_previous_ = false;
  double previous_power_w_ = 0, previous_t_s_ = 0, integral_j_ = 0;
};

bool adds_a_point(const SampleRecord& s) { return std::isfinite(s.reading.power_w) || s.reading.energy_j; }

}  // namespace

bool EnergyIntegrator::add(const SampleRecord& s) {
  const bool has_power = std::isfinite(s.reading.power_w);
  if (has_power && has_previous_power_) integral_j_ += 0.5 * (previous_power_w_ + s.reading.power_w) * (s.t_s - previous_t_s_);
  if (has_power) {
    has_previous_power_ = true;
    previous_power_w_ = s.reading.power_w;
    previous_t_s_ = s.t_s;
  }
  if (!adds_a_point(s)) return false;
  if (s.reading.energy_j) {
    from_counter_ = true;
    counter_j_ = s.reading.energy_j;
    integral_at_counter_j_ = integral_j_;
  }
  const double energy = counter_j_ ? *counter_j_ + integral_j_ - integral_at_counter_j_ : integral_j_;
  if (!started_) first_energy_j_ = energy_j_ = energy;
  started_ = true;
  t_s_ = s.t_s;
  energy_j_ = std::max(energy_j_, energy);
  unheld_energy_j_ = energy;
  return true;
}

EnergySeries energy_series(const std::vector<const SampleRecord*>& samples, bool* from_counter) {
  EnergySeries series;
  std::vector<double> integral_j;      // per point
  std::vector<size_t> anchors;         // points with a counter value
  std::vector<double> counter_j;       // per anchor
  PowerIntegral power;
  for (const SampleRecord* s : samples) {
    const double integral = power.add(*s);
    if (!adds_a_point(*s)) continue;
    if (s->reading.energy_j) {
      anchors.push_back(series.t_s.size());
      counter_j.push_back(*s->reading.energy_j);
    }
    series.t_s.push_back(s->t_s);
    integral_j.push_back(integral);
  }
  *from_counter = !anchors.empty();
  if (anchors.empty()) {
    series.energy_j = std::move(integral_j);
    return series;
  }
  series.energy_j.resize(series.t_s.size());
  // Before the first anchor and after the last, the integral carries on from the counter.
  for (size_t i = 0; i < anchors.front(); ++i) series.energy_j[i] = counter_j.front() - (integral_j[anchors.front()] - integral_j[i]);
  for (size_t i = anchors.back(); i < series.t_s.size(); ++i) series.energy_j[i] = counter_j.back() + integral_j[i] - integral_j[anchors.back()];
  for (size_t a = 0; a + 1 < anchors.size(); ++a) {
    const size_t first = anchors[a], last = anchors[a + 1];
    const double spent_j = counter_j[a + 1] - counter_j[a];
    const double integral_span_j = integral_j[last] - integral_j[first];
    const double time_span_s = series.t_s[last] - series.t_s[first];
    for (size_t i = first; i < last; ++i) {
      // The share of the span's energy spent by point i: by power where power was seen, else by time.
      const double share = integral_span_j > 0 ? (integral_j[i] - integral_j[first]) / integral_span_j
                           : time_span_s > 0   ? (series.t_s[i] - series.t_s[first]) / time_span_s
                                               : 0;
      series.energy_j[i] = counter_j[a] + share * spent_j;
    }
  }
  return series;
}

}  // namespace wattcast
