#pragma once
// Cumulative energy of one device over time, from its stored samples: the hardware counter
// where it has one, else the trapezoid integral of its power. Shared by the run summary (energy
// per device and epoch) and the projections (power over time).

#include <vector>

#include "store/run_store.h"

namespace wattcast {

struct EnergySeries {
  std::vector<double> t_s;
  std::vector<double> energy_j;

  // Linear between samples, flat before the first and after the last.
  double at(double t) const;
};

// `samples`: one device's, in time order.
EnergySeries energy_series(const std::vector<const SampleRecord*>& samples, bool* from_counter);

}  // namespace wattcast
