#include "project/synthetic_run.h"

#include <algorithm>
#include <cmath>
#include <random>

#include <fmt/format.h>

namespace wattcast {

SyntheticRun generate_synthetic_run(const SyntheticRunOptions& o) {
  std::mt19937_64 random(o.seed);
  std::normal_distribution<double> unit(0.0, 1.0);
  SyntheticRun run;
  run.options = o;
  run.trace.source = fmt::format("synthetic run (seed {})", o.seed);
  const double bin_s = o.epoch_s / o.samples_per_epoch;
  run.trace.power.bin_s = bin_s;
  auto& trace_w = run.trace.power.power_w;
  // Outside the epochs: low, noisy power; returns the energy.
  auto idle = [&](int bins) {
    double energy_j = 0;
    for (int b = 0; b < bins; ++b) {
      trace_w.push_back(std::max(0.0, o.power_w * o.idle_power * (1 + o.sample_noise * unit(random))));
      energy_j += trace_w.back() * bin_s;
    }
    return energy_j;
  };
  const int startup_bins = static_cast<int>(std::lround(o.startup_epochs * o.samples_per_epoch));
  double total_j = idle(startup_bins);
  double before_j = total_j;
  for (int e = 1; e <= o.epochs; ++e) {
    double duration_factor = 1, power_factor = 1;
    if (e <= o.warmup_epochs) {
      const double left = static_cast<double>(o.warmup_epochs - e + 1) / o.warmup_epochs;  // 1 at epoch 1
      duration_factor *= 1 + o.warmup_slowdown * left;
      power_factor *= 1 - o.warmup_power_drop * left;
    }
    const bool switched = o.phase_switch_epoch && e >= *o.phase_switch_epoch;
    if (switched) {
      duration_factor *= 1 + o.switch_duration_gain;
      power_factor *= 1 + o.switch_power_gain;
    }
    power_factor *= 1 + o.drift * (o.epochs > 1 ? static_cast<double>(e - 1) / (o.epochs - 1) : 0.0);
    duration_factor *= std::max(0.5, 1 + o.epoch_noise * unit(random));
    power_factor *= std::max(0.5, 1 + o.epoch_noise * unit(random));
    const bool validates = o.validation_every > 0 && e % o.validation_every == 0;
    const int train_bins = std::max(1, static_cast<int>(std::lround(o.samples_per_epoch * duration_factor)));
    const int validation_bins = validates ? std::max(1, static_cast<int>(std::lround(train_bins * o.validation_share))) : 0;

    EpochRecord epoch;
    epoch.epoch = e;
    epoch.energy_before_j = before_j;
    epoch.start_s = static_cast<double>(trace_w.size()) * bin_s;
    if (o.reports_parameters) {
      epoch.total_params = o.total_params;
      epoch.trainable_params = switched ? o.total_params : std::round(o.total_params * o.frozen_trainable_share);
    }
    const int step = o.step_samples + (switched ? 2 : 0);
    const double dip = e <= o.warmup_epochs ? 2 * o.step_dip : o.step_dip;
    for (int b = 0; b < train_bins + validation_bins; ++b) {
      const double level = b >= train_bins ? o.validation_power : (b % step == step - 1 ? 1 - dip : 1.0);
      const double power_w = std::max(0.0, o.power_w * power_factor * level * (1 + o.sample_noise * unit(random)));
      trace_w.push_back(power_w);
      epoch.energy_j += power_w * bin_s;
    }
    epoch.end_s = static_cast<double>(trace_w.size()) * bin_s;
    total_j += epoch.energy_j;
    run.trace.epochs.push_back(std::move(epoch));
    const bool checkpoints = o.checkpoint_every > 0 && e % o.checkpoint_every == 0;
    before_j = checkpoints ? idle(std::max(1, static_cast<int>(std::lround(o.checkpoint_share * o.samples_per_epoch)))) : 0.0;
    total_j += before_j;
  }
  total_j += idle(static_cast<int>(std::lround(startup_bins * o.teardown_share)));
  run.trace.actual_total_j = total_j;
  run.stabilizing_epoch = std::max(o.warmup_epochs + 1, o.phase_switch_epoch.value_or(1));
  return run;
}

std::vector<SyntheticRun> synthetic_suite(int count, uint64_t seed) {
  std::mt19937_64 random(seed);
  auto uniform = [&](double lo, double hi) { return std::uniform_real_distribution<double>(lo, hi)(random); };
  auto integer = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(random); };
  std::vector<SyntheticRun> runs;
  for (int i = 0; i < count; ++i) {
    SyntheticRunOptions o;
    o.epochs = integer(50, 200);
    o.power_w = uniform(80, 400);
    o.epoch_s = uniform(20, 600);
    o.warmup_epochs = integer(0, 3);
    // Frozen-then-fine-tuned training unfreezes anywhere from epoch 2 to 15.
    if (uniform(0, 1) < 0.7) o.phase_switch_epoch = integer(2, 15);
    o.switch_power_gain = uniform(0.1, 0.4);
    o.step_samples = integer(3, 6);
    o.switch_duration_gain = uniform(0.1, 0.6);
    o.epoch_noise = uniform(0.005, 0.03);
    const int every[] = {1, 2, 3, 5};
    o.validation_every = every[integer(0, 3)];
    o.drift = uniform(-0.03, 0.03);
    const int checkpoints[] = {0, 5, 10};
    o.checkpoint_every = checkpoints[integer(0, 2)];
    o.checkpoint_share = uniform(0.05, 0.15);
    // Start-up of a fraction of an epoch to a few epochs; teardown 10-30% of it (the H200 runs:
    // 15-20% of the start-up's energy).
    o.startup_epochs = uniform(0.2, 3);
    o.teardown_share = uniform(0.1, 0.3);
    o.reports_parameters = uniform(0, 1) < 0.5;
    o.total_params = std::round(uniform(1e6, 1e8));
    const bool partly_frozen = o.phase_switch_epoch || uniform(0, 1) < 0.5;
    o.frozen_trainable_share = partly_frozen ? uniform(0.02, 0.2) : 1.0;
    o.seed = random();
    runs.push_back(generate_synthetic_run(o));
  }
  return runs;
}

}  // namespace wattcast
