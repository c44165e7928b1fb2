#pragma once
// Synthetic training runs with a known truth, to test and evaluate the projections and the
// detectors (docs/PROJECTION.md describes the model):
//
// - training steps: power follows a periodic step pattern (compute, then a short dip while the
//   next batch loads and the optimizer steps), a few samples per step;
// - a warm-up ramp: the first epochs are slower (data loading, caching, deeper dips) and draw
//   less power;
// - a phase switch (unfreezing layers): from that epoch on, epochs are longer and draw more, and
//   each step is longer (the backward pass goes through more layers), so the step pattern changes;
// - per-epoch noise on duration and power, and per-sample noise on the power trace;
// - validation every k epochs: a pass at the epoch's end at lower power, which lengthens it;
// - slow thermal drift: power changes linearly over the run;
// - checkpoints every c epochs: a pause between epochs at low power (saving the model);
// - start-up before the first epoch (interpreter, data set-up) and teardown after the last, at
//   low power, outside every epoch but in the run's total;
// - the phase signal: the model's trainable and total parameter counts with each epoch, in some
//   runs (the training code may not report them); a switch unfreezes the frozen layers.

#include <cstdint>
#include <optional>
#include <vector>

#include "project/epoch_trace.h"

namespace wattcast {

struct SyntheticRunOptions {
  int epochs = 100;
  double power_w = 250;          // stable training power, before the switch
  double epoch_s = 60;           // stable epoch duration, before the switch
  int samples_per_epoch = 64;    // power trace resolution (bins per stable epoch)
  int step_samples = 4;          // samples per training step, before the switch (+2 after it)
  double step_dip = 0.2;         // power drop in the step's last sample
  int warmup_epochs = 2;         // ramp length; 0 for none
  double warmup_slowdown = 0.3;  // epoch 1 is this much longer ...
  double warmup_power_drop = 0.15;  // ... and draws this much less power
  std::optional<int> phase_switch_epoch;
  double switch_power_gain = 0.25;     // power after the switch, relative
  double switch_duration_gain = 0.4;   // epoch duration after the switch, relative
  double epoch_noise = 0.01;           // relative sd of each epoch's duration and power
  double sample_noise = 0.05;          // relative sd of each power sample
  int validation_every = 1;            // 0 for no validation
  double validation_share = 0.1;       // of the epoch's duration
  double validation_power = 0.55;      // relative to training power
  double drift = 0.0;                  // total relative power change from the first to the last epoch
  int checkpoint_every = 0;            // 0 for no checkpoints
  double checkpoint_share = 0.1;       // of a stable epoch's duration, after the epoch
  double startup_epochs = 0;           // before the first epoch, in stable epoch durations
  double teardown_share = 0.2;         // of the start-up's duration, after the last epoch
  double idle_power = 0.35;            // start-up, checkpoints and teardown, relative to training power
  bool reports_parameters = false;
  double total_params = 25e6;
  double frozen_trainable_share = 1.0;  // trainable / total before the switch (1: nothing frozen)
  uint64_t seed = 1;
};

struct SyntheticRun {
  SyntheticRunOptions options;
  EpochTrace trace;  // trace.actual_total_j is the true total
  // The true stabilizing epoch: after the switch and the warm-up.
  int stabilizing_epoch = 1;
};

SyntheticRun generate_synthetic_run(const SyntheticRunOptions& options);

// `count` runs with varied settings (docs/PROJECTION.md: 50-200 epochs, switches in about 70% of
// them at epochs 2-15, noise 0.5-3%, drift -3..+3%, validation every 1, 2, 3 or 5 epochs,
// checkpoints every 5 or 10 epochs in 2 of 3 runs, start-up and teardown, parameter counts in
// half the runs), reproducible from `seed`.
std::vector<SyntheticRun> synthetic_suite(int count, uint64_t seed);

}  // namespace wattcast
