#include "model/layer_types.h"

#include <algorithm>
#include <unordered_map>

namespace wattcast {

namespace {

const std::unordered_map<std::string_view, LayerType>& fixed_types() {
  using enum LayerType;
  static const std::unordered_map<std::string_view, LayerType> kTypes = {
      {"Conv", kConvolution}, {"ConvTranspose", kConvolution}, {"ConvInteger", kConvolution}, {"QLinearConv", kConvolution},
      {"Gemm", kLinear},
      {"BatchNormalization", kNormalization}, {"LayerNormalization", kNormalization}, {"InstanceNormalization", kNormalization},
      {"GroupNormalization", kNormalization}, {"LRN", kNormalization}, {"MeanVarianceNormalization", kNormalization},
      {"LpNormalization", kNormalization},
      {"Relu", kActivation}, {"LeakyRelu", kActivation}, {"PRelu", kActivation}, {"ThresholdedRelu", kActivation},
      {"Clip", kActivation}, {"Sigmoid", kActivation}, {"HardSigmoid", kActivation}, {"HardSwish", kActivation},
      {"Tanh", kActivation}, {"Erf", kActivation}, {"Elu", kActivation}, {"Celu", kActivation}, {"Selu", kActivation},
      {"Softplus", kActivation}, {"Softsign", kActivation}, {"Gelu", kActivation}, {"Mish", kActivation},
      {"Softmax", kActivation}, {"LogSoftmax", kActivation},
      {"MaxPool", kPooling}, {"AveragePool", kPooling}, {"GlobalAveragePool", kPooling}, {"GlobalMaxPool", kPooling},
      {"LpPool", kPooling}, {"GlobalLpPool", kPooling}, {"MaxRoiPool", kPooling},
      {"Add", kElementwise}, {"Sub", kElementwise}, {"Mul", kElementwise}, {"Div", kElementwise}, {"Pow", kElementwise},
      {"Max", kElementwise}, {"Min", kElementwise}, {"Sum", kElementwise}, {"Mean", kElementwise}, {"Mod", kElementwise},
      {"Neg", kElementwise}, {"Abs", kElementwise}, {"Sqrt", kElementwise}, {"Exp", kElementwise}, {"Log", kElementwise},
      {"Reciprocal", kElementwise}, {"Ceil", kElementwise}, {"Floor", kElementwise}, {"Round", kElementwise},
      {"Sign", kElementwise}, {"Sin", kElementwise}, {"Cos", kElementwise}, {"Tan", kElementwise}, {"Not", kElementwise},
      {"And", kElementwise}, {"Or", kElementwise}, {"Xor", kElementwise}, {"Equal", kElementwise}, {"Less", kElementwise},
      {"Greater", kElementwise}, {"LessOrEqual", kElementwise}, {"GreaterOrEqual", kElementwise}, {"Where", kElementwise},
      {"IsNaN", kElementwise}, {"IsInf", kElementwise},
  };
  return kTypes;
}

}  // namespace

std::string_view layer_type_name(LayerType type) {
  switch (type) {
    case LayerType::kConvolution: return "convolution";
    case LayerType::kLinear: return "linear";
    case LayerType::kNormalization: return "normalization";
    case LayerType::kActivation: return "activation";
    case LayerType::kPooling: return "pooling";
    case LayerType::kAttention: return "attention";
    case LayerType::kElementwise: return "elementwise";
    case LayerType::kOther: return "other";
  }
  return "other";
}

LayerType layer_type_of(const GraphNode& node, const TensorSet& constant_tensors, const TensorSet& attention_tensors) {
  if (!node.domain.empty()) return LayerType::kOther;
  const std::string& op = node.op_type;
  if (op == "MatMul" || op == "Einsum" || op == "MatMulInteger" || op == "QLinearMatMul") {
    // A product with a weight is a linear layer; a product of two activations (queries by keys,
    // scores by values) is attention.
    const bool has_weight = std::any_of(node.inputs.begin(), node.inputs.end(), [&](const std::string& t) { return constant_tensors.count(t) > 0; });
    if (node.inputs.size() < 2) return LayerType::kOther;  // a one-operand Einsum is a sum or a transpose
    return has_weight ? LayerType::kLinear : LayerType::kAttention;
  }
  if ((op == "Softmax" || op == "LogSoftmax") && !node.inputs.empty() && attention_tensors.count(node.inputs.front()) > 0) return LayerType::kAttention;
  auto it = fixed_types().find(op);
  return it == fixed_types().end() ? LayerType::kOther : it->second;
}

}  // namespace wattcast
