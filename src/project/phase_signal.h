#pragma once
// The phase signal: the model's trainable and total parameter counts, reported by the training
// code as each epoch begins. A change is a phase switch (layers frozen or unfrozen), which the
// projections take as the start of a new stable stretch instead of waiting for the detectors
// to see the new level in the energy.

#include <optional>
#include <string>

#include "project/epoch_trace.h"

namespace wattcast {

struct PhaseSwitch {
  int epoch = 0;  // the first epoch of the new phase
  std::string note;  // "phase switch at epoch 4: trainable parameters 2.1M -> 23.5M"
};

// The latest epoch of `seen` whose parameter counts differ from the previous epoch's that
// reported them.
std::optional<PhaseSwitch> latest_phase_switch(const EpochTrace& seen);

// Whether a phase switch may still come after the epochs of `seen`, and why (empty when not):
// up to `horizon_epoch` unless the latest counts show every parameter training already.
std::string switch_still_possible(const EpochTrace& seen, int horizon_epoch);

// 23500000 -> "23.5M", 2100 -> "2.1k".
std::string parameter_count_text(double count);

}  // namespace wattcast
