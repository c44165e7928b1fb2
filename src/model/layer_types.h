#pragma once
// The layer types the study and its companion work attribute energy to. An operator's type can
// depend on its context: a MatMul with a weight is a linear layer, one between two activations
// is attention.

#include <string>
#include <string_view>

#include "model/model_graph.h"

namespace wattcast {

enum class LayerType { kConvolution, kLinear, kNormalization, kActivation, kPooling, kAttention, kElementwise, kOther };

std::string_view layer_type_name(LayerType type);

// `constant_tensors`: tensors computed from initializers alone (weights, possibly transposed),
// as opposed to activations that depend on the model's input. `attention_tensors`: outputs of
// nodes already classified as attention, so a Softmax over attention scores joins them.
LayerType layer_type_of(const GraphNode& node, const TensorSet& constant_tensors, const TensorSet& attention_tensors);

}  // namespace wattcast
