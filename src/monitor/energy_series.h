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

}  // namespace wattcast
