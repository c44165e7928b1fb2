#pragma once
// Energy-aware early stopping: stop training once the validation metric's recent improvement
// is no longer worth the energy of another epoch.
//
//   gain per kJ = (least-squares slope of the metric over its last `smoothing_epochs` reported
//                  values, in metric units per epoch, sign-flipped when lower is better)
//               / (projected energy of one more epoch, kJ)
//
// The slope smooths epoch-to-epoch noise without lagging as much as a best-so-far rule; the
// energy of one more epoch is the projection's (the window's mean epoch energy), or the mean of
// the same recent epochs before a projection exists. Training stops when the gain per kJ falls
// below the threshold (a metric that got worse gives a negative gain, and stops too).

#include <optional>
#include <string>

#include "project/epoch_trace.h"
#include "project/projection.h"

namespace wattcast {

struct GainPerEnergyRule {
  std::string metric;  // empty: the first metric the run reports
  bool higher_is_better = true;
  double min_gain_per_kj = 0;
  int smoothing_epochs = 5;
};

struct GainPerEnergy {
  std::string metric;
  double gain_per_epoch = 0;
  double epoch_energy_kj = 0;
  double gain_per_kj = 0;
  bool stop = false;
  std::string reason;  // for the run record, when stopping
};

// Nothing until the metric has been reported for `smoothing_epochs` epochs.
std::optional<GainPerEnergy> assess_gain_per_energy(const EpochTrace& seen, const std::optional<Projection>& projection,
                                                    const GainPerEnergyRule& rule);

}  // namespace wattcast
