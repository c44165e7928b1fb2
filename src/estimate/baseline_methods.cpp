#include "estimate/baseline_methods.h"

namespace wattcast {

namespace {

EpochPrediction at_constant_power(double avg_power_w, const DurationSource& duration, const TrainingConfig& config) {
  EpochPrediction p = from_power_and_time(avg_power_w, duration.epoch_time_s(config));
  if (auto time = duration.epoch_time_s_90(config)) {
    // The power is fixed by assumption; the only uncertainty the method carries is the duration's.
    p.epoch_time_s_90 = time;
    p.epoch_energy_j_90 = Interval{avg_power_w * time->lo, avg_power_w * time->hi};
  }
  return p;
}

}  // namespace

EpochPrediction Mlco2Estimator::predict(const TrainingConfig& config) const {
  return at_constant_power(config.gpu.tdp_w, duration_, config);
}

EpochPrediction GreenAlgorithmsEstimator::predict(const TrainingConfig& config) const {
  // Predictions are per GPU; the job's memory is shared by its GPUs.
  const double power_w = config.gpu.tdp_w * usage_factor_ + config.total_ram_gb * kMemoryWPerGb / config.gpu_count;
  return at_constant_power(power_w, duration_, config);
}

double FlopsProxyEstimator::epoch_flops(const TrainingConfig& config) {
  return config.gflops * 1e9 * (kTrainingFlopsFactor * config.train_samples + config.val_samples);
}

double FlopsProxyEstimator::peak_flops_per_s(const GpuSpec& gpu) {
  if (gpu.fp32_tflops) return *gpu.fp32_tflops * 1e12;
  return 2.0 * gpu.cuda_cores * kAssumedBoostClockHz;
}

EpochPrediction FlopsProxyEstimator::predict(const TrainingConfig& config) const {
  const double time_s = epoch_flops(config) / (peak_flops_per_s(config.gpu) * kAssumedUtilization);
  return from_power_and_time(config.gpu.tdp_w, time_s);
}

}  // namespace wattcast
