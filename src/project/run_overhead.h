#pragma once
// What a run spends outside its epochs, and the allowance the projections make for the part
// still to come after the last epoch (saving the model, freeing the GPU, the interpreter's exit).
//
// That teardown cannot be measured before it happens. It is estimated from the run's start-up
// (the energy before its first epoch: interpreter start, data set-up), which it resembles on a
// smaller scale: on the three H200 runs in tests/fixtures/h200 the teardown used 15-20% of the
// start-up's energy. The allowance is 20% of the start-up, within 0% (the process ends at once)
// to 50%.

#include "project/epoch_trace.h"

namespace wattcast {

struct TeardownAllowance {
  double expected_j = 0;
  double low_j = 0, high_j = 0;
};

inline constexpr double kTeardownShareOfStartup = 0.2;
inline constexpr double kTeardownHighShareOfStartup = 0.5;

// From the energy measured before the first of `seen`'s epochs; nothing when it has none (a CSV).
TeardownAllowance teardown_allowance(const EpochTrace& seen);

}  // namespace wattcast
