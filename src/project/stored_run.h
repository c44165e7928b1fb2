#pragma once
// A run measured by `wattcast measure`, read back from the store as an EpochTrace: its epochs
// (from the markers), its power over time and, once it has finished, its measured total.

#include <cstdint>

#include "project/epoch_trace.h"
#include "store/run_store.h"

namespace wattcast {

struct StoredRunOptions {
  // A run without epoch markers is cut into slices of this length, projected like epochs.
  double slice_s = 60;
};

Result<EpochTrace> read_stored_run(RunStore& store, int64_t run_id, const StoredRunOptions& options = {});

}  // namespace wattcast
