#include "model/training_flops.h"

#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "model/checked_math.h"

namespace wattcast {

namespace {

bool frozen(const std::string& name, const std::vector<std::string>& prefixes) {
  return std::any_of(prefixes.begin(), prefixes.end(), [&](const std::string& p) { return name.rfind(p, 0) == 0; });
}

bool reads_any(const GraphNode& node, const TensorSet& tensors) {
  return std::any_of(node.inputs.begin(), node.inputs.end(), [&](const std::string& t) { return !t.empty() && tensors.count(t) > 0; });
}

}  // namespace

Result<TrainingFlops> training_flops(const ModelGraph& graph, const FlopsReport& report, const std::vector<std::string>& frozen_prefixes, int64_t batch) {
  TrainingFlops out;
  out.batch = std::max<int64_t>(1, batch);
  out.forward_flops = report.flops;
  for (const auto& prefix : frozen_prefixes) {
    const bool matches = std::any_of(report.param_initializers.begin(), report.param_initializers.end(), [&](const std::string& n) { return n.rfind(prefix, 0) == 0; });
    if (!matches) return Error{fmt::format("--frozen: no parameter of {} starts with '{}'", graph.source, prefix)};
  }
  TensorSet trainable_weights;  // constant tensors derived from a trainable parameter
  for (const auto& name : report.param_initializers) {
    const int64_t count = checked_product(graph.initializers.at(name).dims).value_or(0);  // counted without overflow already
    if (frozen(name, frozen_prefixes)) {
      out.frozen_params += count;
    } else {
      out.trainable_params += count;
      trainable_weights.insert(name);
    }
  }
  TensorSet requires_grad;  // activations a gradient flows back into
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    const GraphNode& node = graph.nodes[i];
    const bool constant = !node.outputs.empty() && report.constant_tensors.count(node.outputs.front()) > 0;
    if (constant) {
      if (reads_any(node, trainable_weights)) trainable_weights.insert(node.outputs.begin(), node.outputs.end());
      continue;
    }
    const bool weight_grad = reads_any(node, trainable_weights);
    const bool input_grad = reads_any(node, requires_grad);
    if (weight_grad || input_grad) requires_grad.insert(node.outputs.begin(), node.outputs.end());
    const int64_t forward = report.nodes[i].flops;
    for (bool needed : {weight_grad, input_grad}) {
      auto sum = needed ? checked_add(out.backward_flops, forward) : out.backward_flops;
      if (!sum) return Error::in_file(graph.source, fmt::format("node '{}' ({}): the backward FLOP count overflows 64 bits", node.name, node.op_type));
      out.backward_flops = *sum;
    }
  }
  return out;
}

}  // namespace wattcast
