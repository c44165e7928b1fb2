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

EnergyAtTimes::EnergyAtTimes(std::vector<double> times_s) : times_s_(std::move(times_s)) {}

size_t EnergyAtTimes::keep(const Point& point) {
  points_.push_back(point);
  unsettled_.push_back(points_.size() - 1);
  return points_.size() - 1;
}

// The same expressions as energy_series, term for term, so the figures are the same bits.
void EnergyAtTimes::settle_until(const Anchor& next) {
  for (size_t i : unsettled_) {
    Point& p = points_[i];
    if (!anchor_) {
      p.energy_j = next.counter_j - (next.integral_j - p.integral_j);
      continue;
    }
    const double spent_j = next.counter_j - anchor_->counter_j;
    const double integral_span_j = next.integral_j - anchor_->integral_j;
    const double time_span_s = next.t_s - anchor_->t_s;
    const double share = integral_span_j > 0 ? (p.integral_j - anchor_->integral_j) / integral_span_j
                         : time_span_s > 0   ? (p.t_s - anchor_->t_s) / time_span_s
                                             : 0;
    p.energy_j = anchor_->counter_j + share * spent_j;
  }
  unsettled_.clear();
}

void EnergyAtTimes::settle_after_last_anchor() {
  for (size_t i : unsettled_) {
    Point& p = points_[i];
    p.energy_j = anchor_ ? anchor_->counter_j + p.integral_j - anchor_->integral_j : p.integral_j;
  }
  unsettled_.clear();
}

void EnergyAtTimes::add(const SampleRecord& s) {
  // As PowerIntegral::add.
  if (std::isfinite(s.reading.power_w)) {
    if (has_previous_power_) integral_j_ += 0.5 * (previous_power_w_ + s.reading.power_w) * (s.t_s - previous_power_t_s_);
    has_previous_power_ = true;
    previous_power_w_ = s.reading.power_w;
    previous_power_t_s_ = s.t_s;
  }
  if (!adds_a_point(s)) return;
  const Point point{s.t_s, integral_j_, 0};

  // Times before this point and after the previous one lie between the two (EnergySeries::at's
  // upper_bound); times up to the first point take the first point's energy.
  const size_t first_between = between_.size();
  if (previous_) {
    for (; next_time_ < times_s_.size() && times_s_[next_time_] < point.t_s; ++next_time_) {
      if (!previous_kept_) previous_kept_ = keep(*previous_);
      between_.push_back({next_time_, *previous_kept_, 0});
    }
  }
  if (s.reading.energy_j) {
    const Anchor next{point.t_s, point.integral_j, *s.reading.energy_j};
    settle_until(next);
    anchor_ = next;
  }
  std::optional<size_t> kept;
  if (!previous_ || between_.size() > first_between) kept = keep(point);
  for (size_t b = first_between; b < between_.size(); ++b) between_[b].after = *kept;
  if (!previous_) {
    first_ = kept;
    for (; next_time_ < times_s_.size() && times_s_[next_time_] <= point.t_s; ++next_time_) at_point_.emplace_back(next_time_, *first_);
  }
  previous_ = point;
  previous_kept_ = kept;
}

void EnergyAtTimes::finish() {
  energy_at_j_.assign(times_s_.size(), 0);
  if (!previous_) return;
  last_ = previous_kept_ ? *previous_kept_ : keep(*previous_);
  settle_after_last_anchor();
  for (; next_time_ < times_s_.size(); ++next_time_) at_point_.emplace_back(next_time_, *last_);
  for (const auto& [time, point] : at_point_) energy_at_j_[time] = points_[point].energy_j;
  for (const Between& b : between_) {
    const Point& before = points_[b.before];
    const Point& after = points_[b.after];
    const double share = (times_s_[b.time] - before.t_s) / (after.t_s - before.t_s);
    energy_at_j_[b.time] = before.energy_j + share * (after.energy_j - before.energy_j);
  }
}

double EnergyAtTimes::first_t_s() const { return points_.at(*first_).t_s; }
double EnergyAtTimes::last_t_s() const { return points_.at(*last_).t_s; }
double EnergyAtTimes::first_energy_j() const { return points_.at(*first_).energy_j; }
double EnergyAtTimes::last_energy_j() const { return points_.at(*last_).energy_j; }

}  // namespace wattcast
