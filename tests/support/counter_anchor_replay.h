#pragma once
// Replays an NVML trace recorded beside a real run (tests/fixtures/h200/NAME_nvml_reference.csv:
// power and the energy counter every 100 ms) as the monitor would have sampled it: power at every
// sample, the counter only at anchors. Scores the per-epoch GPU energy computed from that against
// the counter's own per-epoch differences. Shared by the regression test and bench/.

#include <string>
#include <vector>

#include "core/result.h"
#include "store/run_store.h"

namespace wattcast::testing {

struct ReferenceRow {
  double t_s = 0, power_w = 0, energy_j = 0;
};

struct EpochSpan {
  double start_s = 0, end_s = 0;
};

// Which reference rows carry the counter, besides the first and the last.
struct AnchorPolicy {
  bool at_epoch_markers = true;  // the first row at or after each epoch's start and end
  double period_s = 30;          // at most this long without one; 0: never in between
  bool counter = true;           // false: no counter at all, power integrated alone
};

Result<std::vector<ReferenceRow>> read_nvml_reference(const std::string& path);
// `wattcast export --what epochs`: start_s and duration_s per epoch.
Result<std::vector<EpochSpan>> read_epoch_spans(const std::string& path);

std::vector<SampleRecord> replay_with_anchors(const std::vector<ReferenceRow>& rows, const std::vector<EpochSpan>& epochs,
                                              const AnchorPolicy& policy);

// Per epoch: energy from the replayed samples / the counter's difference over the epoch - 1.
std::vector<double> epoch_energy_errors(const std::vector<ReferenceRow>& rows, const std::vector<EpochSpan>& epochs,
                                        const AnchorPolicy& policy);

// How many rows of the replay carry the counter.
size_t counter_reads(const std::vector<SampleRecord>& samples);

}  // namespace wattcast::testing
