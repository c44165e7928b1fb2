#pragma once
// The GPU-generic model ("roofline"): a GPU is described by what bounds training (peak
// throughput at the precision used, memory bandwidth, power limit, idle power) and a run by the
// work of an epoch (FLOPs, bytes moved, steps). Epoch time is compute plus memory time at learned
// efficiencies plus per-step and per-sample overheads; power is idle plus a learned share of
// (limit - idle), so it can never leave [idle, limit]. Few parameters, so it carries to GPUs it
// has not seen. docs/MODEL.md, "GPU-generic model", gives the design and its accuracy.

#include <array>

#include "estimate/fitted_model.h"

namespace wattcast {

struct RooflineParameters {
  // log step overhead (s) at 1 GFLOP per sample, logit of compute efficiency, log passes over
  // the activations, log passes over the parameters per optimizer step, exponent of the step
  // overhead in GFLOPs per sample.
  std::array<double, 5> time{};
  // Share of (limit - idle) drawn: 1 - exp(-load), load a positive mix (log weights) of the FLOP
  // rate as a share of the peak, the memory share of the epoch and its overhead share.
  std::array<double, 3> power{};
};

// 90% interval half-widths in natural log, from leave-one-GPU-out residuals of the fit itself.
struct RooflineSpread {
  double power = 0.1, time = 0.2, energy = 0.2;
};

// The range of one input over the fitted configurations.
struct InputRange {
  const char* name;
  double min = 0, max = 0;
};

class RooflineModel : public FittedModel {
 public:
  static constexpr size_t kInputCount = 7;

  static Result<RooflineModel> fit(const std::vector<MeasuredRun>& runs, const FitOptions& options);
  static Result<RooflineModel> from_json(const nlohmann::json& json);

  std::string name() const override { return "roofline"; }
  EpochPrediction predict(const TrainingConfig& config) const override;
  // Graded by how far outside the fitted data each input the model uses lies.
  std::vector<Extrapolation> extrapolation(const TrainingConfig& config) const override;
  nlohmann::json to_json() const override;

  const RooflineParameters& parameters() const { return parameters_; }

 private:
  RooflineModel(RooflineParameters parameters, RooflineSpread spread, std::array<InputRange, kInputCount> ranges)
      : parameters_(parameters), spread_(spread), ranges_(ranges) {}

  // Largest |log(value / nearest bound)| over the inputs outside their range; 0 inside.
  double log_distance(const TrainingConfig& config) const;

  RooflineParameters parameters_;
  RooflineSpread spread_;
  std::array<InputRange, kInputCount> ranges_;
};

// Mean power and epoch time of the parameters, without intervals (fitting and tests).
struct RooflinePoint {
  double avg_power_w = 0;
  double epoch_time_s = 0;
};
RooflinePoint roofline_point(const RooflineParameters& parameters, const TrainingConfig& config);

}  // namespace wattcast
