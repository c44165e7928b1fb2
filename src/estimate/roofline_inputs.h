#pragma once
// What bounds training on any GPU generation, and the work one epoch asks of it: the inputs of
// the GPU-generic ("roofline") model. docs/MODEL.md, "GPU-generic model".

#include <string>
#include <vector>

#include "estimate/training_config.h"

namespace wattcast {

struct GpuBounds {
  double peak_flops_per_s = 0;  // at the configuration's precision
  double board_peak_flops_per_s = 0;  // the highest the board has at any precision (its power limit is sized for it)
  double bandwidth_bytes_per_s = 0;
  double tdp_w = 0;    // the board's default power limit
  double limit_w = 0;  // the limit in force (a cap, or the default)
  double idle_w = 0;
  // Figures the catalog lacks for this GPU and that were assumed, in words.
  std::vector<std::string> assumptions;
};

// Idle draw assumed where none was measured: a tenth of the board's limit (measured: H200 82 W
// of 700 W; Ampere and Turing boards idle at 8-12% of theirs).
inline constexpr double kAssumedIdleShareOfTdp = 0.10;
// FLOPs per byte of bandwidth assumed for a GPU given without a bandwidth (data-centre and desktop
// GPUs since 2016 span about 13-60).
inline constexpr double kAssumedFlopsPerByte = 40.0;

GpuBounds gpu_bounds(const TrainingConfig& config);

// Forward FLOPs per byte of activations assumed for a model given by its GFLOPs alone: the median
// of the reference workloads counted by `wattcast flops` (depthwise networks 8, VGG 270).
inline constexpr double kAssumedFlopsPerActivationByte = 55.0;
// Parameters per forward GFLOP assumed likewise (the reference workloads' median is 9.5 M).
inline constexpr double kAssumedParametersPerGflop = 10e6;

struct EpochWork {
  double flops = 0;    // training samples forward and backward (3x forward), validation forward
  double steps = 0;    // optimizer steps plus validation batches
  double optimizer_steps = 0;
  double samples = 0;  // training plus validation
  // Activation bytes of every pass (a training sample's forward and backward count as 3 forward
  // passes, as its FLOPs do), and the bytes of one copy of the parameters in FP32.
  double activation_bytes = 0;
  double parameter_bytes = 0;
  // Figures the request lacks and that were assumed, in words.
  std::vector<std::string> assumptions;
};

EpochWork epoch_work(const TrainingConfig& config);

}  // namespace wattcast
