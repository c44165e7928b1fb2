#pragma once
// Cumulative energy of one device over time, from its stored samples: the hardware counter
// where it has one, else the trapezoid integral of its power. A costly counter (NVML's) is read
// only at anchors, every sample has power: between two anchors the energy is the counters'
// difference, split over the samples in between by the integral of power, so totals and epoch
// energies are the counter's own at the anchors. Shared by the run summary (energy per device and
// epoch), the projections (power over time) and the exporter, which follows a run as it is
// written and so adds samples one at a time.

#include <optional>
#include <vector>

#include "store/run_store.h"

namespace wattcast {

// One device's samples, added in time order, for a caller that follows a run sample by sample
// (the sampler's live totals, the exporter) and cannot wait for the next anchor: after a counter read the energy is that
// value plus the power integral since. It never goes back, since it is exported as a counter:
// where the integral ran ahead of the next counter value, it holds until the counter catches
// up. With a counter at every sample, or none, it equals energy_series at every point; with
// sparse anchors, at every anchor the integral did not overrun.
class EnergyIntegrator {
 public:
  // False when the sample adds no point to the series (no power figure and no counter).
  bool add(const SampleRecord& sample);
  bool started() const { return started_; }
  bool from_counter() const { return from_counter_; }
  // Of the last point added.
  double t_s() const { return t_s_; }
  double energy_j() const { return energy_j_; }
  // The same without the hold: the last counter value plus the power integral since. Exactly the
  // counter's at an anchor, as the summary has it, but it may go back; for epoch boundaries.
  double unheld_energy_j() const { return unheld_energy_j_; }
  // Of the first point: a device's energy is energy_j() - first_energy_j(), as in the summary.
  double first_energy_j() const { return first_energy_j_; }

 private:
  bool started_ = false;
  bool from_counter_ = false;
  double integral_j_ = 0;  // of power, since the first sample
  std::optional<double> counter_j_;
  double integral_at_counter_j_ = 0;
  bool has_previous_power_ = false;
  double previous_power_w_ = 0, previous_t_s_ = 0;
  double t_s_ = 0, energy_j_ = 0, unheld_energy_j_ = 0, first_energy_j_ = 0;
};

struct EnergySeries {
  std::vector<double> t_s;
  std::vector<double> energy_j;

  // Linear between samples, flat before the first and after the last.
  double at(double t) const;
};

// `samples`: one device's, in time order. `from_counter`: whether any sample had a counter value.
EnergySeries energy_series(const std::vector<const SampleRecord*>& samples, bool* from_counter);

// energy_series(samples).at(t) for given times, and its first and last points, from one device's
// samples added one at a time in time order, without the series: for a summary of a run too long
// to hold (run_summary.h). Its memory grows with the times asked for, not with the samples. A
// point's energy waits for the next counter read (the anchor whose difference it shares), so the
// few points an answer needs are kept until then or until finish(). Bit for bit energy_series'
// figures where the sample times do not go back.
class EnergyAtTimes {
 public:
  // `times_s` sorted, lowest first.
  explicit EnergyAtTimes(std::vector<double> times_s);
  void add(const SampleRecord& sample);
  // After the last sample; the figures below are then valid.
  void finish();

  bool has_points() const { return first_.has_value(); }
  bool from_counter() const { return anchor_.has_value(); }
  double first_t_s() const;
  double last_t_s() const;
  double first_energy_j() const;
  double last_energy_j() const;
  // At times_s[k]; 0 without points, as EnergySeries::at.
  const std::vector<double>& energy_at_j() const { return energy_at_j_; }

 private:
  struct Point {
    double t_s = 0, integral_j = 0, energy_j = 0;
  };
  struct Anchor {
    double t_s = 0, integral_j = 0, counter_j = 0;
  };
  struct Between {  // a time between two points
    size_t time = 0, before = 0, after = 0;
  };
  size_t keep(const Point& point);  // index into points_, energy settled later
  void settle_until(const Anchor& next);
  void settle_after_last_anchor();

  std::vector<double> times_s_;
  size_t next_time_ = 0;  // the first time no point has passed yet
  double integral_j_ = 0;
  bool has_previous_power_ = false;
  double previous_power_w_ = 0, previous_power_t_s_ = 0;
  std::optional<Anchor> anchor_;  // the last counter read
  std::vector<Point> points_;     // the ones an answer needs
  std::vector<size_t> unsettled_;  // indices of kept points since the last anchor
  std::optional<Point> previous_;
  std::optional<size_t> previous_kept_;
  std::optional<size_t> first_, last_;
  std::vector<std::pair<size_t, size_t>> at_point_;  // (time, point): before the first point or after the last
  std::vector<Between> between_;
  std::vector<double> energy_at_j_;
};

}  // namespace wattcast
