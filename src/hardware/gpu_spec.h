#pragma once

#include <optional>
#include <string>

namespace wattcast {

// What the estimators need to know about a GPU. Catalog entries carry more; a GPU given by
// its specs on the command line has only the first four.
struct GpuSpec {
  std::string name;
  double cuda_cores = 0;
  double memory_gb = 0;
  double tdp_w = 0;
  std::optional<double> fp32_tflops;
  std::string architecture;
  std::string release_date;
  // What bounds training on any generation (the GPU-generic "roofline" model); catalog only.
  std::optional<double> memory_bandwidth_gbs;
  std::optional<double> fp16_tflops;         // without tensor cores
  std::optional<double> tf32_tflops;         // tensor cores, dense
  std::optional<double> fp16_tensor_tflops;  // tensor cores, dense, FP32 accumulate (BF16 alike)
  std::optional<double> idle_w;              // measured idle draw, where known
};

}  // namespace wattcast
