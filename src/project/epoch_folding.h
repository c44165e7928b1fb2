#pragma once
// A live run holds a bounded window of its latest epochs: a marker flood of 50,000 epochs must
// neither grow the monitor nor make each epoch's projection cost more than the one before. The
// oldest epochs are folded into the trace's sums (FoldedEpochs), which keep every total exact;
// the detectors and the projection's window need only the recent epochs.

#include <cstddef>

#include "project/epoch_trace.h"

namespace wattcast {

// Folds the oldest `count` epochs of `trace` (at most as many as it holds).
void fold_oldest_epochs(EpochTrace& trace, size_t count);

}  // namespace wattcast
