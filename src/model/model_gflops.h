#pragma once
// The figures `wattcast estimate` takes from an ONNX file: GFLOPs in the study's convention
// (forward pass, batch 1, a multiply-add = 2 FLOPs), i.e. wattcast's own convention, and the
// bytes a training step moves (activations at batch 1, parameters).

#include <cstdint>
#include <optional>
#include <string>

#include "core/result.h"

namespace wattcast {

struct ModelGflops {
  double gflops = 0;
  double activation_bytes = 0;  // every intermediate tensor of one sample's forward pass
  double parameters = 0;
  bool complete = true;  // false when some operators or shapes could not be counted
  std::string description;  // for the user: where the figure came from
};

Result<ModelGflops> count_model_gflops(const std::string& path, std::optional<int64_t> input_size);

}  // namespace wattcast
