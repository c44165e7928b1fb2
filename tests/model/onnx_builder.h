#pragma once
// Small ONNX models written in the test itself, so each operator's count can be checked
// against a figure worked out by hand.

#include <cstdint>
#include <string>
#include <vector>

#include <onnx/onnx_pb.h>

namespace wattcast::testing {

class OnnxBuilder {
 public:
  explicit OnnxBuilder(int opset = 17) {
    model_.set_ir_version(8);
    auto* entry = model_.add_opset_import();
    entry->set_domain("");
    entry->set_version(opset);
    model_.mutable_graph()->set_name("test");
  }

  // dims: a negative dim is symbolic, named `symbol`.
  OnnxBuilder& input(const std::string& name, const std::vector<int64_t>& dims, const std::string& symbol = "N") {
    auto* info = model_.mutable_graph()->add_input();
    info->set_name(name);
    auto* tensor = info->mutable_type()->mutable_tensor_type();
    tensor->set_elem_type(onnx::TensorProto::FLOAT);
    auto* shape = tensor->mutable_shape();
    for (int64_t d : dims) {
      if (d < 0) shape->add_dim()->set_dim_param(symbol);
      else shape->add_dim()->set_dim_value(d);
    }
    return *this;
  }

  // A weight with its shape only, as the stripped fixtures have.
  OnnxBuilder& weight(const std::string& name, const std::vector<int64_t>& dims) {
    initializer(name, onnx::TensorProto::FLOAT, dims);
    return *this;
  }

  OnnxBuilder& ints(const std::string& name, const std::vector<int64_t>& values) {
    auto* tensor = initializer(name, onnx::TensorProto::INT64, {static_cast<int64_t>(values.size())});
    for (int64_t v : values) tensor->add_int64_data(v);
    return *this;
  }

  OnnxBuilder& floats(const std::string& name, const std::vector<float>& values) {
    auto* tensor = initializer(name, onnx::TensorProto::FLOAT, {static_cast<int64_t>(values.size())});
    for (float v : values) tensor->add_float_data(v);
    return *this;
  }

  onnx::NodeProto& node(const std::string& op, const std::vector<std::string>& inputs, const std::vector<std::string>& outputs,
                        const std::string& domain = "") {
    auto* n = model_.mutable_graph()->add_node();
    n->set_op_type(op);
    n->set_name(op + "_" + std::to_string(model_.graph().node_size()));
    n->set_domain(domain);
    for (const auto& i : inputs) n->add_input(i);
    for (const auto& o : outputs) n->add_output(o);
    return *n;
  }

  OnnxBuilder& output(const std::string& name) {
    auto* info = model_.mutable_graph()->add_output();
    info->set_name(name);
    info->mutable_type()->mutable_tensor_type()->set_elem_type(onnx::TensorProto::FLOAT);
    return *this;
  }

  std::string bytes() const { return model_.SerializeAsString(); }
  onnx::ModelProto& model() { return model_; }

 private:
  onnx::TensorProto* initializer(const std::string& name, int32_t type, const std::vector<int64_t>& dims) {
    auto* tensor = model_.mutable_graph()->add_initializer();
    tensor->set_name(name);
    tensor->set_data_type(type);
    for (int64_t d : dims) tensor->add_dims(d);
    return tensor;
  }

  onnx::ModelProto model_;
};

inline void set_ints(onnx::NodeProto& node, const std::string& name, const std::vector<int64_t>& values) {
  auto* a = node.add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INTS);
  for (int64_t v : values) a->add_ints(v);
}

inline void set_int(onnx::NodeProto& node, const std::string& name, int64_t value) {
  auto* a = node.add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INT);
  a->set_i(value);
}

inline void set_string(onnx::NodeProto& node, const std::string& name, const std::string& value) {
  auto* a = node.add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::STRING);
  a->set_s(value);
}

}  // namespace wattcast::testing
