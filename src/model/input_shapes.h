#pragma once
// The shapes the user gives a model's inputs: exported models often leave the batch (or a
// sequence length) symbolic, and the count depends on them.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/result.h"
#include "model/model_graph.h"

namespace onnx {
class GraphProto;
}

namespace wattcast {

struct InputShapeOptions {
  std::map<std::string, std::vector<int64_t>> shapes;  // --input NAME=1x3x224x224, whole shape
  std::optional<int64_t> input_size;                   // height = width of every 4-D input (NCHW or NHWC)
  std::optional<int64_t> batch;                        // dim 0 of every input; symbolic ones default to 1
};

// "input=1x3x128x128" -> {"input", {1, 3, 128, 128}}.
Result<std::pair<std::string, std::vector<int64_t>>> parse_input_shape(const std::string& spec);

// Writes the options into the graph's (non-initializer) inputs; every input dim must end up
// known. `source` names the file in errors.
Status apply_input_shapes(onnx::GraphProto& graph, const InputShapeOptions& options, const std::string& source);

}  // namespace wattcast
