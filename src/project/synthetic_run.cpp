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
  double total_j = 0;
  for (int e = 1; e <= o.epochs; ++e) {
    double duration_factor = 1, power_factor = 1;
    if (e <= o.warmup_epochs) {
      const double left = static_cast<double>(o.warmup_epochs - e + 1) / o.warmup_epochs;  // 1 at epoch 1
      duration_factor *= 1 + o.warmup_slowdown * left;
      power_factor *= 1 - o.warmup_power_drop * left;
    }
    if (o.phase_switch_epoch && e >= *o.phase_switch_epoch) {
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
    epoch.start_s = static_cast<double>(run.trace.power.power_w.size()) * bin_s;
    const bool switched = o.phase_switch_epoch && e >= *o.phase_switch_epoch;
    const int step = o.step_samples + (switched ? 2 : 0);
    const double dip = e <= o.warmup_epochs ? 2 * o.step_dip : o.step_dip;
    for (int b = 0; b < train_bins + validation_bins; ++b) {
      const double level = b >= train_bins ? o.validation_power : (b % step == step - 1 ? 1 - dip : 1.0);
      const double power_w = std::max(0.0, o.power_w * power_factor * level * (1 + o.sample_noise * unit(random)));
      run.trace.power.power_w.push_back(power_w);
      epoch.energy_j += power_w * bin_s;
    }
    epoch.end_s = static_cast<double>(run.trace.power.power_w.size()) * bin_s;
    total_j += epoch.energy_j;
    run.trace.epochs.push_back(std::move(epoch));
  }
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
    if (uniform(0, 1) < 0.7) o.phase_switch_epoch = integer(4, 10);
    o.switch_power_gain = uniform(0.1, 0.4);
    o.step_samples = integer(3, 6);
    o.switch_duration_gain = uniform(0.1, 0.6);
    o.epoch_noise = uniform(0.005, 0.03);
    const int every[] = {1, 2, 5};
    o.validation_every = every[integer(0, 2)];
    o.drift = uniform(-0.02, 0.02);
    o.seed = random();
    runs.push_back(generate_synthetic_run(o));
  }
  return runs;
}

}  // namespace wattcast
