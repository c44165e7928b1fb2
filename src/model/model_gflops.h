#pragma once
// The figure `wattcast estimate` takes from an ONNX file: GFLOPs in the study's convention
// (forward pass, batch 1, a multiply-add = 2 FLOPs), i.e. wattcast's own convention.

#include <cstdint>
#include <optional>
#include <string>

#include "core/result.h"

namespace wattcast {

struct ModelGflops {
  double gflops = 0;
  bool complete = true;  // false when some operators or shapes could not be counted
  std::string description;  // for the user: where the figure came from
};

Result<ModelGflops> count_model_gflops(const std::string& path, std::optional<int64_t> input_size);

}  // namespace wattcast
