#pragma once
// STEP's two projections of a run's total energy from a window of w stable epochs
// (paper-notes), each with a 90% interval from the spread of the window's epochs:
//
//   epoch-energy:  E = E_measured + (N - k) x mean epoch energy of the window + E_teardown
//                  (with k = the window's last epoch and nothing outside the epochs, this is
//                  the study's E_w x s/w + E_u)
//   power:         E = P_w x t + E_outside + E_teardown, t = t_seen + (N - k) x mean epoch
//                  duration of the window
//
// where k epochs have been seen of N, P_w is the window's mean power, E_measured everything
// measured up to the end of epoch k (start-up and gaps between epochs included), E_outside
// the part of it outside the epochs (and the window's gaps for the epochs to come), and
// E_teardown the allowance for what follows the last epoch (run_overhead.h).

#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "project/epoch_trace.h"
#include "project/stabilization.h"

namespace wattcast {

struct Projection {
  std::string method;  // "epoch-energy" or "power"
  double energy_j = 0;
  double low_j = 0, high_j = 0;  // the interval
  double duration_s = 0;         // projected total duration
  int window_first = 0, window_last = 0;
  int epochs_seen = 0, total_epochs = 0;
  double measured_j = 0;  // up to the end of the last epoch seen, start-up and gaps included
  double teardown_j = 0;  // expected after the last epoch (included in energy_j)
  // Why the interval is wider than the window's spread alone makes it; empty when it is not.
  std::string wide_because;
};

struct ProjectionOptions {
  int window = 5;
  double interval = 0.9;
  // The window's first epoch; by default the last `window` epochs seen, so the most recent
  // (and most representative) epochs are used. The study used the first ones after the
  // stabilizing epoch: pass the stabilizing epoch for that.
  std::optional<int> window_first;
  // Until this epoch a phase switch (unfreezing layers) may still come, unless the reported
  // parameter counts show the whole model training; the study found power stable from epoch 10
  // in 90% of its runs, and frozen-then-fine-tuned schedules unfreeze up to epoch 15.
  int switch_horizon_epoch = 15;
  // ... and until then the upper bound lets the remaining epochs use this much more energy each:
  // unfreezing a resnet50's backbone made its epochs 2.4 times as costly on the H200.
  double switch_energy_factor = 3.0;
};

struct ProjectionSet {
  std::vector<Projection> projections;  // epoch-energy first; power when the window has durations
  std::vector<std::string> notes;
};

// `trace` holds the epochs seen so far. Errors say what is missing (too few stable epochs, ...).
Result<ProjectionSet> project_total(const EpochTrace& trace, const Stabilization& stabilization, int total_epochs,
                                    const ProjectionOptions& options = {});

// The first epoch after which a projection is available, for a run stabilizing at `stabilizing_epoch`.
inline int first_projectable_epoch(int stabilizing_epoch, int window) { return stabilizing_epoch + window - 1; }

}  // namespace wattcast
