#pragma once
// Reads an ONNX file (or bytes) into a ModelGraph: parse, validate, apply the user's input
// shapes, run shape inference. Every failure is an Error naming the file.

#include <string>

#include "core/result.h"
#include "model/input_shapes.h"
#include "model/model_graph.h"

namespace wattcast {

Result<ModelGraph> load_onnx_file(const std::string& path, const InputShapeOptions& options);
Result<ModelGraph> load_onnx_bytes(const std::string& bytes, const std::string& source, const InputShapeOptions& options);

}  // namespace wattcast
