#include "model/onnx_loader.h"

#include <fstream>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <onnx/onnx_pb.h>

#include "core/file_input.h"
#include "model/checked_math.h"
#include "model/shape_folding.h"
#include "model/shape_inference.h"

namespace wattcast {

namespace {

// Protobuf cannot parse a message of 2 GiB or more; weights beyond that live in external files.
constexpr size_t kMaxModelBytes = (size_t{1} << 31) - 1;

int element_bytes(int32_t data_type) {
  using T = onnx::TensorProto;
  switch (data_type) {
    case T::UINT8: case T::INT8: case T::BOOL: return 1;
    case T::UINT16: case T::INT16: case T::FLOAT16: case T::BFLOAT16: return 2;
    case T::FLOAT: case T::INT32: case T::UINT32: return 4;
    case T::DOUBLE: case T::INT64: case T::UINT64: case T::COMPLEX64: return 8;
    case T::COMPLEX128: return 16;
    default: return 0;
  }
}

bool is_floating_point(int32_t data_type) {
  using T = onnx::TensorProto;
  return data_type == T::FLOAT || data_type == T::FLOAT16 || data_type == T::BFLOAT16 || data_type == T::DOUBLE;
}

TensorShape shape_of(const onnx::TypeProto_Tensor& type) {
  TensorShape shape;
  shape.element_bytes = element_bytes(type.elem_type());
  for (const auto& dim : type.shape().dim()) shape.dims.push_back(dim.has_dim_value() && dim.dim_value() >= 0 ? dim.dim_value() : TensorShape::kUnknownDim);
  return shape;
}

void add_value_infos(const google::protobuf::RepeatedPtrField<onnx::ValueInfoProto>& infos, ModelGraph& graph) {
  for (const auto& info : infos) {
    if (info.type().has_tensor_type() && info.type().tensor_type().has_shape()) graph.tensors[info.name()] = shape_of(info.type().tensor_type());
  }
}

NodeAttribute attribute_of(const onnx::AttributeProto& proto) {
  NodeAttribute attribute;
  if (proto.has_i()) attribute.ints.push_back(proto.i());
  attribute.ints.insert(attribute.ints.end(), proto.ints().begin(), proto.ints().end());
  if (proto.has_f()) attribute.floats.push_back(proto.f());
  attribute.floats.insert(attribute.floats.end(), proto.floats().begin(), proto.floats().end());
  attribute.text = proto.s();
  return attribute;
}

std::string node_name(const onnx::NodeProto& node, int index) {
  return node.name().empty() ? fmt::format("{}#{}", node.op_type(), index) : node.name();
}

// ONNX requires nodes in topological order; a cycle or a dangling name is refused here, before
// ONNX's inference walks the graph.
Status check_node_order(const onnx::GraphProto& graph, const std::string& source) {
  TensorSet produced;
  for (const auto& node : graph.node()) produced.insert(node.output().begin(), node.output().end());
  TensorSet available;
  for (const auto& input : graph.input()) available.insert(input.name());
  for (const auto& tensor : graph.initializer()) available.insert(tensor.name());
  for (int i = 0; i < graph.node_size(); ++i) {
    const auto& node = graph.node(i);
    for (const auto& input : node.input()) {
      if (input.empty() || available.count(input) > 0) continue;
      const char* why = produced.count(input) > 0 ? "before a later node produces it: the graph has a cycle or is not topologically sorted"
                                                  : "which no node, input or initializer provides";
      return Error::in_file(source, fmt::format("node '{}' ({}) reads '{}' {}", node_name(node, i), node.op_type(), input, why));
    }
    for (const auto& output : node.output()) {
      if (!output.empty()) available.insert(output);
    }
  }
  return ok_status();
}

bool valid_element_type(int32_t type) { return type != onnx::TensorProto::UNDEFINED && onnx::TensorProto_DataType_IsValid(type); }

// libonnx's inference functions assume every tensor has an element type; an initializer or input
// without one crashes them (found by the fuzzer), so it is refused here.
Status check_element_types(const onnx::GraphProto& graph, const std::string& source) {
  for (const auto& tensor : graph.initializer()) {
    if (!valid_element_type(tensor.data_type())) return Error::in_file(source, fmt::format("initializer '{}' has no valid data type", tensor.name()));
  }
  for (const auto& input : graph.input()) {
    if (!input.type().has_tensor_type() || !valid_element_type(input.type().tensor_type().elem_type()))
      return Error::in_file(source, fmt::format("input '{}' is not a tensor of a valid data type", input.name()));
  }
  for (int i = 0; i < graph.node_size(); ++i) {
    for (const auto& attribute : graph.node(i).attribute()) {
      if (attribute.has_t() && !valid_element_type(attribute.t().data_type()))
        return Error::in_file(source, fmt::format("node '{}' attribute '{}' holds a tensor of no valid data type", node_name(graph.node(i), i), attribute.name()));
    }
  }
  return ok_status();
}

Result<ModelGraph> convert(const onnx::ModelProto& model, const std::string& source) {
  const auto& proto = model.graph();
  ModelGraph graph;
  graph.source = source;
  for (const auto& tensor : proto.initializer()) {
    Initializer init;
    init.floating_point = is_floating_point(tensor.data_type());
    for (int64_t d : tensor.dims()) {
      if (d < 0 || d > kMaxDim) return Error::in_file(source, fmt::format("initializer '{}' has dimension {}, outside 0 to {}", tensor.name(), d, kMaxDim));
      init.dims.push_back(d);
    }
    if (!checked_product(init.dims)) return Error::in_file(source, fmt::format("initializer '{}' has more elements than 64 bits count", tensor.name()));
    TensorShape shape{init.dims, element_bytes(tensor.data_type())};
    graph.tensors[tensor.name()] = shape;
    graph.initializers[tensor.name()] = std::move(init);
  }
  for (const auto& input : proto.input()) {
    if (!graph.is_initializer(input.name())) graph.inputs.push_back(input.name());
  }
  add_value_infos(proto.input(), graph);
  add_value_infos(proto.value_info(), graph);
  add_value_infos(proto.output(), graph);

  graph.nodes.reserve(static_cast<size_t>(proto.node_size()));
  for (int i = 0; i < proto.node_size(); ++i) {
    const auto& node = proto.node(i);
    GraphNode out;
    out.op_type = node.op_type();
    out.domain = node.domain() == "ai.onnx" ? std::string() : node.domain();
    out.name = node_name(node, i);
    out.inputs.assign(node.input().begin(), node.input().end());
    out.outputs.assign(node.output().begin(), node.output().end());
    for (const auto& attribute : node.attribute()) out.attributes[attribute.name()] = attribute_of(attribute);
    graph.nodes.push_back(std::move(out));
  }
  return graph;
}

}  // namespace

Result<ModelGraph> load_onnx_bytes(const std::string& bytes, const std::string& source, const InputShapeOptions& options) {
  if (bytes.empty()) return Error::in_file(source, "empty file, not an ONNX model");
  if (bytes.size() > kMaxModelBytes) return Error::in_file(source, "larger than 2 GiB, which protobuf cannot parse");
  onnx::ModelProto model;
  if (!model.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())))
    return Error::in_file(source, "not an ONNX model (protobuf parse failed: truncated or another format)");
  // Random bytes sometimes parse as a protobuf message; an ONNX model has these.
  if (model.ir_version() <= 0 || !model.has_graph() || model.graph().node_size() == 0)
    return Error::in_file(source, "not an ONNX model (no IR version or no graph nodes)");
  if (auto applied = apply_input_shapes(*model.mutable_graph(), options, source); !applied) return applied.error();
  if (auto typed = check_element_types(model.graph(), source); !typed) return typed.error();
  if (auto ordered = check_node_order(model.graph(), source); !ordered) return ordered.error();
  if (auto inferred = infer_shapes(model, source); !inferred) return inferred.error();
  // Each round of folding can resolve shapes that let the next round fold more (a Reshape whose
  // target was folded gives the next Shape its input); every round folds at least one node, so
  // this ends.
  while (fold_shape_computations(model) > 0) {
    if (auto inferred = infer_shapes(model, source); !inferred) return inferred.error();
  }
  return convert(model, source);
}

Result<ModelGraph> load_onnx_file(const std::string& path, const InputShapeOptions& options) {
  auto bytes = read_input_file(path);
  if (!bytes) return bytes.error();
  return load_onnx_bytes(*bytes, path, options);
}

}  // namespace wattcast
