#pragma once

#include <array>
#include <optional>
#include <string>

#include "hardware/gpu_spec.h"

namespace wattcast {

// One training setup, described by what a practitioner knows before training (the study's
// PRE inputs) plus what turns per-epoch figures into run totals.
struct TrainingConfig {
  GpuSpec gpu;
  int gpu_count = 1;
  double gflops = 0;  // forward pass, batch 1, a multiply-add counted as 2 FLOPs
  // What a step moves through GPU memory, as `wattcast flops` counts it: the bytes of every
  // intermediate tensor of one sample's forward pass, and the model's parameters. Unknown for a
  // model given by its GFLOPs alone; the GPU-generic model then assumes typical figures and says so.
  std::optional<double> activation_bytes;
  std::optional<double> parameters;
  double batch_size = 0;
  double input_size = 0;  // pixels per side of the square input
  double train_samples = 0;
  double val_samples = 0;
  double total_ram_gb = 0;
  double epochs = 1;
  // Arithmetic the training runs in: fp32, tf32, fp16 or bf16 (mixed precision on tensor cores).
  std::string precision = "fp32";
  // A power cap below the board's default (nvidia-smi -pl); absent means the default limit.
  std::optional<double> power_limit_w;
};

inline bool is_known_precision(const std::string& p) { return p == "fp32" || p == "tf32" || p == "fp16" || p == "bf16"; }

// The study's nine regression inputs, in the order every fitted model stores them.
inline constexpr size_t kFeatureCount = 9;
inline constexpr std::array<const char*, kFeatureCount> kFeatureNames = {
    "gpu_cuda_cores", "gpu_memory_gb", "gpu_tdp_w",  "total_ram_gb", "gflops",
    "train_samples",  "val_samples",   "batch_size", "input_size"};

inline std::array<double, kFeatureCount> feature_vector(const TrainingConfig& c) {
  return {c.gpu.cuda_cores, c.gpu.memory_gb, c.gpu.tdp_w,    c.total_ram_gb, c.gflops,
          c.train_samples,  c.val_samples,   c.batch_size, c.input_size};
}

}  // namespace wattcast
