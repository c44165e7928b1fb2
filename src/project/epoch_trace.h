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

// The oldest epochs of a long live run, no longer held (live_projector.h keeps a bounded window of
// the latest): what the projections still need of them. The sums are taken in the same order as
// over the epochs themselves, so folding changes no figure.
struct FoldedEpochs {
  int count = 0;           // epochs 1 to count
  double measured_j = 0;   // before and in each epoch
  double epochs_j = 0;     // in the epochs only
  double outside_j = 0;    // before each epoch: the start-up and the gaps
  double duration_s = 0;   // of the epochs
  double startup_j = 0;    // before the first epoch
  // The parameter counts of the last folded epoch that reported any (phase_signal.h), and the
  // latest phase switch among the folded epochs (epoch 0: none).
  std::optional<double> trainable_params, total_params;
  int phase_switch_epoch = 0;
  std::string phase_switch_note;
  std::string first_metric;  // the first metric a folded epoch reported (early_stopping.h)
};

struct EpochTrace {
  std::string source;  // "run 3 in runs.db", "epochs.csv"
  FoldedEpochs folded;  // none but in a long live run
  std::vector<EpochRecord> epochs;  // epochs folded.count + 1, ...
  PowerTrace power;                // empty when only per-epoch figures are known (CSV input)
  std::vector<std::string> notes;  // what was missing and which fallback was used
  std::optional<double> actual_total_j;  // a finished run's measured total, for the error

  int epochs_seen() const { return folded.count + static_cast<int>(epochs.size()); }
  // The first k epochs (and the power trace up to the end of epoch k), as seen live after k; of a
  // trace with nothing folded.
  EpochTrace first_epochs(size_t k) const;
  // Everything measured up to the end of the last epoch: the epochs and the energy before and
  // between them.
  double measured_j() const;
};

// A CSV of per-epoch figures: `duration_s` and `energy_j` (or `energy_kj`), optionally `epoch`
// (must then be 1, 2, 3, ...) and any other numeric column, taken as a metric.
Result<EpochTrace> read_epoch_csv(const std::string& path);

}  // namespace wattcast
