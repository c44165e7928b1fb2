#include "model/shape_inference.h"

#include <exception>

#include <fmt/format.h>
#include <onnx/defs/schema.h>
#include <onnx/onnx_pb.h>
#include <onnx/shape_inference/implementation.h>

namespace wattcast {

namespace {

std::string canonical_domain(const std::string& domain) { return domain == "ai.onnx" ? std::string() : domain; }

std::string first_line(const std::string& text) { return text.substr(0, text.find('\n')); }

Status verify_nodes(const onnx::ModelProto& model, const std::string& source) {
  std::map<std::string, int> opset;
  for (const auto& entry : model.opset_import()) opset[canonical_domain(entry.domain())] = static_cast<int>(entry.version());
  if (opset.count("") == 0) return Error::in_file(source, "no opset_import for the ONNX domain: not a valid ONNX model");
  const auto& nodes = model.graph().node();
  for (int i = 0; i < nodes.size(); ++i) {
    const auto& node = nodes[i];
    const std::string domain = canonical_domain(node.domain());
    auto version = opset.find(domain);
    if (version == opset.end()) continue;  // a custom domain: listed as unknown by the counter
    const onnx::OpSchema* schema = onnx::OpSchemaRegistry::Schema(node.op_type(), version->second, domain);
    if (schema == nullptr) continue;
    try {
      schema->Verify(node);
    } catch (const std::exception& e) {
      const std::string name = node.name().empty() ? fmt::format("{}#{}", node.op_type(), i) : node.name();
      return Error::in_file(source, fmt::format("node '{}' ({}): {}", name, node.op_type(), first_line(e.what())));
    }
  }
  return ok_status();
}

}  // namespace

Status infer_shapes(onnx::ModelProto& model, const std::string& source) {
  auto& graph = *model.mutable_graph();
  graph.clear_value_info();
  for (auto& output : *graph.mutable_output()) {
    if (output.type().has_tensor_type()) output.mutable_type()->mutable_tensor_type()->clear_shape();
  }
  if (auto verified = verify_nodes(model, source); !verified) return verified;
  try {
    // Node errors are not fatal (error_mode 0): an operator ONNX cannot infer leaves its outputs
    // unknown, and the counter lists what it could not count. ONNX's data propagation stays off:
    // in 1.12 it crashes on crafted Slice bounds and malformed nodes (found by fuzzing);
    // fold_shape_computations does that work instead.
    const onnx::ShapeInferenceOptions options(/*check_type_val=*/false, /*strict_mode_val=*/0, /*data_prop_val=*/false);
    onnx::shape_inference::InferShapes(model, onnx::OpSchemaRegistry::Instance(), options);
  } catch (const std::exception& e) {
    return Error::in_file(source, "shape inference failed: " + first_line(e.what()));
  }
  return ok_status();
}

}  // namespace wattcast
