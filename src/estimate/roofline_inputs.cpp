#include "estimate/roofline_inputs.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "core/human_numbers.h"

namespace wattcast {

namespace {

constexpr double kAssumedBoostClockHz = 1.5e9;

double fp32_tflops(const GpuSpec& gpu, std::vector<std::string>& assumptions) {
  if (gpu.fp32_tflops) return *gpu.fp32_tflops;
  const double tflops = 2.0 * gpu.cuda_cores * kAssumedBoostClockHz / 1e12;
  assumptions.push_back(fmt::format("FP32 peak assumed {} TFLOPS (2 FLOPs per core per cycle at 1.5 GHz)", plain_number(tflops, 3)));
  return tflops;
}

}  // namespace

GpuBounds gpu_bounds(const TrainingConfig& config) {
  const GpuSpec& gpu = config.gpu;
  GpuBounds b;
  const double fp32 = fp32_tflops(gpu, b.assumptions);
  double tflops = fp32;
  if (config.precision == "tf32") {
    if (gpu.tf32_tflops) {
      tflops = *gpu.tf32_tflops;
    } else {
      b.assumptions.push_back("no TF32 tensor peak known for this GPU: its FP32 peak is used");
    }
  } else if (config.precision == "fp16" || config.precision == "bf16") {
    if (gpu.fp16_tensor_tflops) {
      tflops = *gpu.fp16_tensor_tflops;
    } else if (gpu.fp16_tflops) {
      tflops = std::max(fp32, *gpu.fp16_tflops);
      b.assumptions.push_back("no FP16 tensor peak known for this GPU: its FP16 (non-tensor) peak is used");
    } else {
      b.assumptions.push_back("no FP16 peak known for this GPU: its FP32 peak is used");
    }
  }
  b.peak_flops_per_s = tflops * 1e12;
  b.board_peak_flops_per_s = std::max({fp32, gpu.tf32_tflops.value_or(0), gpu.fp16_tensor_tflops.value_or(0), gpu.fp16_tflops.value_or(0)}) * 1e12;
  if (gpu.memory_bandwidth_gbs) {
    b.bandwidth_bytes_per_s = *gpu.memory_bandwidth_gbs * 1e9;
  } else {
    b.bandwidth_bytes_per_s = fp32 * 1e12 / kAssumedFlopsPerByte;
    b.assumptions.push_back(fmt::format("memory bandwidth assumed {} GB/s (FP32 peak / {} FLOPs per byte)",
                                        plain_number(b.bandwidth_bytes_per_s / 1e9, 3), plain_number(kAssumedFlopsPerByte)));
  }
  b.tdp_w = gpu.tdp_w;
  b.limit_w = config.power_limit_w ? std::min(*config.power_limit_w, gpu.tdp_w) : gpu.tdp_w;
  if (gpu.idle_w) {
    b.idle_w = *gpu.idle_w;
  } else {
    b.idle_w = kAssumedIdleShareOfTdp * gpu.tdp_w;
    b.assumptions.push_back(fmt::format("idle power assumed {} W (a tenth of the board's {} W)", plain_number(b.idle_w, 3), plain_number(gpu.tdp_w)));
  }
  // A cap at or below idle leaves nothing to share out; keep the model defined.
  b.idle_w = std::min(b.idle_w, 0.9 * b.limit_w);
  return b;
}

EpochWork epoch_work(const TrainingConfig& c) {
  EpochWork w;
  const double passes = 3.0 * c.train_samples + c.val_samples;
  w.flops = c.gflops * 1e9 * passes;
  w.optimizer_steps = std::ceil(c.train_samples / c.batch_size);
  w.steps = w.optimizer_steps + std::ceil(c.val_samples / c.batch_size);
  w.samples = c.train_samples + c.val_samples;
  double activations = 0;
  if (c.activation_bytes) {
    activations = *c.activation_bytes;
  } else {
    activations = c.gflops * 1e9 / kAssumedFlopsPerActivationByte;
    w.assumptions.push_back(fmt::format("activations assumed {:.1f} MB per sample ({:g} FLOPs per byte; "
                                        "`wattcast flops MODEL.onnx` counts them, give --activation-mb)",
                                        activations / 1e6, kAssumedFlopsPerActivationByte));
  }
  w.activation_bytes = activations * passes;
  double parameters = 0;
  if (c.parameters) {
    parameters = *c.parameters;
  } else {
    parameters = c.gflops * kAssumedParametersPerGflop;
    w.assumptions.push_back(fmt::format("parameters assumed {:.1f} M (10 M per GFLOP; give --params-m)", parameters / 1e6));
  }
  w.parameter_bytes = 4.0 * parameters;
  return w;
}

}  // namespace wattcast
