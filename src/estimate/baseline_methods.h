#pragma once
// The estimators practitioners use today, reproduced so users can see them side by side with
// wattcast's. None is fitted to data; MLCO2 and Green Algorithms assume a power draw and take
// the training duration from elsewhere (another method's epoch time, or a duration the user gives).

#include <memory>
#include <optional>

#include "estimate/estimator.h"

namespace wattcast {

// Where MLCO2 and Green Algorithms get the epoch time they multiply by.
class DurationSource {
 public:
  virtual ~DurationSource() = default;
  virtual double epoch_time_s(const TrainingConfig& config) const = 0;
  virtual std::optional<Interval> epoch_time_s_90(const TrainingConfig&) const { return std::nullopt; }
};

// Epoch time predicted by another estimator (wattcast's model by default).
class PredictedDuration : public DurationSource {
 public:
  explicit PredictedDuration(const Estimator& estimator) : estimator_(estimator) {}
  double epoch_time_s(const TrainingConfig& config) const override { return estimator_.predict(config).epoch_time_s; }
  std::optional<Interval> epoch_time_s_90(const TrainingConfig& config) const override {
    return estimator_.predict(config).epoch_time_s_90;
  }

 private:
  const Estimator& estimator_;
};

// A total training duration the user knows (--hours), spread over the epochs.
class GivenDuration : public DurationSource {
 public:
  explicit GivenDuration(double total_s) : total_s_(total_s) {}
  double epoch_time_s(const TrainingConfig& config) const override { return total_s_ / config.epochs; }

 private:
  double total_s_;
};

// ML CO2 Impact (Lacoste et al. 2019): the GPU draws its TDP for the whole run. Always an
// over-estimate, since training rarely holds a GPU at its power limit.
class Mlco2Estimator : public Estimator {
 public:
  explicit Mlco2Estimator(const DurationSource& duration) : duration_(duration) {}
  std::string name() const override { return "mlco2"; }
  EpochPrediction predict(const TrainingConfig& config) const override;

 private:
  const DurationSource& duration_;
};

// Green Algorithms (Lannelongue et al. 2021), GPU and memory terms as in the study:
// power = n x TDP x usage + memory_GB x 0.3725 W. PUE is applied with every method's totals.
class GreenAlgorithmsEstimator : public Estimator {
 public:
  static constexpr double kDefaultUsageFactor = 1.0;  // the calculator's default core usage
  static constexpr double kMemoryWPerGb = 0.3725;     // the calculator's memory power per GB

  explicit GreenAlgorithmsEstimator(const DurationSource& duration, double usage_factor = kDefaultUsageFactor)
      : duration_(duration), usage_factor_(usage_factor) {}
  std::string name() const override { return "green-algorithms"; }
  EpochPrediction predict(const TrainingConfig& config) const override;

 private:
  const DurationSource& duration_;
  double usage_factor_;
};

// A FLOPs-only proxy: epoch time = training FLOPs / (peak FP32 throughput x utilization) at
// TDP. It is what "energy follows FLOPs" implies, and it shows why that fails: real
// utilization varies by an order of magnitude between architectures, batch and input sizes.
class FlopsProxyEstimator : public Estimator {
 public:
  static constexpr double kAssumedUtilization = 0.30;
  static constexpr double kTrainingFlopsFactor = 3.0;  // forward + backward ~ 3 x forward
  static constexpr double kAssumedBoostClockHz = 1.5e9;

  std::string name() const override { return "flops"; }
  EpochPrediction predict(const TrainingConfig& config) const override;

  // FLOPs of one epoch: training samples forward+backward, validation samples forward only.
  static double epoch_flops(const TrainingConfig& config);
  // Peak FP32 FLOP/s: the catalog figure when known, else 2 FLOPs per core per cycle at kAssumedBoostClockHz.
  static double peak_flops_per_s(const GpuSpec& gpu);
};

}  // namespace wattcast
