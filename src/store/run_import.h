#pragma once
// Reads back what `wattcast export` writes (the samples CSV, and optionally the epochs CSV with
// its metrics), so a run measured elsewhere (another machine, a shared trace) can join a store
// as a new run. Everything is read and checked before anything is written: a malformed file
// leaves the store as it was.

#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "store/run_store.h"

namespace wattcast {

struct ImportedDevice {
  DeviceInfo info;
  std::vector<SampleRecord> samples;  // device_id left for the store to give
};

struct ImportedRun {
  RunRecord run;  // start and end from the samples (and epochs)
  std::vector<ImportedDevice> devices;  // in order of first appearance, as export wrote them
  std::vector<MarkerRecord> markers;    // epoch_begin and epoch_end, run_id left unset
};

// Errors name the file, line and column. How each device was measured is not in the export: a
// device with an energy counter, a GPU, or the process tree counts as measured, a CPU or memory
// without one as modelled (wattcast's own models have no counter), and its note says it was
// imported.
Result<ImportedRun> read_exported_run(const std::string& samples_csv, const std::optional<std::string>& epochs_csv);

// Writes the run into `store` and returns its new id.
Result<int64_t> store_imported_run(RunStore& store, const ImportedRun& imported);

}  // namespace wattcast
