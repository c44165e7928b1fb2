#pragma once
// What the projections work on: a run's epochs (duration, energy, reported metrics) in order,
// and, where the run was measured by wattcast, its total power over time.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"

namespace wattcast {

struct EpochRecord {
  int epoch = 0;       // 1-based, consecutive
  double start_s = 0;  // from the run's start
  double end_s = 0;
  double energy_j = 0;
  // Measured between the previous epoch's end (the run's start, for the first) and this epoch's
  // start: interpreter start-up and data set-up before epoch 1, checkpoints or logging between
  // epochs. The run's total includes it, so the projections must too.
  double energy_before_j = 0;
  std::map<std::string, double> metrics;  // as reported at the epoch's end (val_f1, loss, ...)
  // The model's parameter counts as the training code reported them when the epoch began; a
  // change from the previous epoch is a phase switch (layers frozen or unfrozen).
  std::optional<double> trainable_params, total_params;

  double duration_s() const { return end_s - start_s; }
  double mean_power_w() const { return duration_s() > 0 ? energy_j / duration_s() : 0; }
};

// Total power of the run, averaged over equal bins from the run's start. NaN marks a bin with
// no sample (a gap in the trace).
struct PowerTrace {
  double bin_s = 0;
  std::vector<double> power_w;
};

struct EpochTrace {
  std::string source;  // "run 3 in runs.db", "epochs.csv"
  std::vector<EpochRecord> epochs;
  PowerTrace power;                // empty when only per-epoch figures are known (CSV input)
  std::vector<std::string> notes;  // what was missing and which fallback was used
  std::optional<double> actual_total_j;  // a finished run's measured total, for the error

  // The first k epochs (and the power trace up to the end of epoch k), as seen live after k.
  EpochTrace first_epochs(size_t k) const;
  // Everything measured up to the end of the last epoch: the epochs and the energy before and
  // between them.
  double measured_j() const;
};

// A CSV of per-epoch figures: `duration_s` and `energy_j` (or `energy_kj`), optionally `epoch`
// (must then be 1, 2, 3, ...) and any other numeric column, taken as a metric.
Result<EpochTrace> read_epoch_csv(const std::string& path);

}  // namespace wattcast
