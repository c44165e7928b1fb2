#pragma once
// ONNX's own shape inference, behind a Status: the library throws on malformed nodes, and
// files come from anywhere.

#include <string>

#include "core/result.h"

namespace onnx {
class ModelProto;
}

namespace wattcast {

// Checks every node of a known operator against its schema (input and output counts, attribute
// types), then fills the graph's value_info with inferred shapes. Shapes stored in the file are
// dropped first: they were written for the exported input size, and a new one would conflict.
Status infer_shapes(onnx::ModelProto& model, const std::string& source);

}  // namespace wattcast
