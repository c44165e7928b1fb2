#include "model/flops_counter.h"

#include <algorithm>
#include <unordered_map>

#include <fmt/format.h>

#include "model/checked_math.h"

namespace wattcast {

namespace {

// Trainable weights: floating-point initializers reached by a node, except those that only feed
// inputs that are not weights: BatchNormalization's running mean and variance (statistics:
// torchvision's parameter counts leave them out) and operator arguments such as Resize's scales. Exporters often pass weights through Identity or Transpose,
// so each constant tensor remembers the initializers it came from.
struct ConstantOrigins {
  TensorSet constants;
  std::unordered_map<std::string, std::set<std::string>> origins;  // constant tensor -> initializers
};

ConstantOrigins trace_constants(const ModelGraph& graph) {
  ConstantOrigins out;
  for (const auto& [name, init] : graph.initializers) {
    out.constants.insert(name);
    out.origins[name] = {name};
  }
  for (const auto& node : graph.nodes) {
    const bool all_constant = std::all_of(node.inputs.begin(), node.inputs.end(), [&](const std::string& t) { return t.empty() || out.constants.count(t) > 0; });
    if (!all_constant) continue;
    std::set<std::string> from;
    for (const auto& input : node.inputs) {
      if (!input.empty()) from.insert(out.origins[input].begin(), out.origins[input].end());
    }
    for (const auto& output : node.outputs) {
      if (output.empty()) continue;
      out.constants.insert(output);
      out.origins[output] = from;
    }
  }
  return out;
}

bool is_argument_input(const std::string& op, size_t input) {
  if (op == "BatchNormalization") return input == 3 || input == 4;
  if (op == "Resize" || op == "Clip" || op == "Pad" || op == "Upsample") return input >= 1;
  return false;
}

std::set<std::string> find_params(const ModelGraph& graph, const ConstantOrigins& constants) {
  std::set<std::string> used, feeds_arguments, used_elsewhere;
  for (const auto& node : graph.nodes) {
    const bool folds_constants = !node.outputs.empty() && constants.constants.count(node.outputs.front()) > 0;
    if (folds_constants) continue;  // an Identity or Transpose of weights: its consumers say how they are used
    for (size_t i = 0; i < node.inputs.size(); ++i) {
      auto it = constants.origins.find(node.inputs[i]);
      if (node.inputs[i].empty() || it == constants.origins.end()) continue;
      const bool argument = is_argument_input(node.op_type, i);
      for (const auto& origin : it->second) {
        used.insert(origin);
        (argument ? feeds_arguments : used_elsewhere).insert(origin);
      }
    }
  }
  std::set<std::string> params;
  for (const auto& name : used) {
    const bool argument_only = feeds_arguments.count(name) > 0 && used_elsewhere.count(name) == 0;
    if (graph.initializers.at(name).floating_point && !argument_only) params.insert(name);
  }
  return params;
}

int64_t convention_macs(const NodeCost& cost, Convention convention) {
  return convention == Convention::kFvcore ? cost.fvcore_macs : cost.macs;
}

int64_t convention_flops(const NodeCost& cost, Convention convention) {
  switch (convention) {
    case Convention::kWattcast: return cost.flops;
    case Convention::kTorchvision: return checked_mul(cost.macs, 2).value_or(-1);
    case Convention::kFvcore: return checked_mul(cost.fvcore_macs, 2).value_or(-1);
  }
  return cost.flops;
}

// Adds `value` to `total` unless either overflows; `what` names the count in the error and is
// only called then, since building messages for every node would cost more than counting.
template <typename Describe>
Status accumulate(int64_t& total, int64_t value, const std::string& source, Describe what) {
  auto sum = value < 0 ? std::nullopt : checked_add(total, value);
  if (!sum) return Error::in_file(source, what() + " overflows 64 bits (absurd shapes?)");
  total = *sum;
  return ok_status();
}

}  // namespace

std::optional<Convention> parse_convention(const std::string& name) {
  if (name == "wattcast") return Convention::kWattcast;
  if (name == "torchvision") return Convention::kTorchvision;
  if (name == "fvcore") return Convention::kFvcore;
  return std::nullopt;
}

std::string convention_name(Convention convention) {
  switch (convention) {
    case Convention::kWattcast: return "wattcast";
    case Convention::kTorchvision: return "torchvision";
    case Convention::kFvcore: return "fvcore";
  }
  return "wattcast";
}

Result<FlopsReport> count_flops(const ModelGraph& graph, Convention convention) {
  FlopsReport report;
  report.convention = convention;
  ConstantOrigins constants = trace_constants(graph);
  report.param_initializers = find_params(graph, constants);
  report.constant_tensors = std::move(constants.constants);
  for (const auto& name : report.param_initializers) {
    auto count = checked_product(graph.initializers.at(name).dims);
    if (auto added = accumulate(report.params, count.value_or(-1), graph.source, [] { return std::string("the parameter count"); }); !added)
      return added.error();
  }
  for (const auto& input : graph.inputs) {
    if (const TensorShape* shape = graph.shape(input)) report.input_shapes[input] = shape->dims;
  }

  TensorSet attention_tensors;
  report.nodes.reserve(graph.nodes.size());
  for (const auto& node : graph.nodes) {
    auto cost = node_cost(node, graph);
    if (!cost) return cost.error();
    NodeCount count{node.name, node.op_type, layer_type_of(node, report.constant_tensors, attention_tensors), cost->kind, 0, 0, 0};
    if (count.layer_type == LayerType::kAttention) attention_tensors.insert(node.outputs.begin(), node.outputs.end());
    if (cost->kind == NodeCost::Kind::kUnknownOp) ++report.unknown_ops[node.domain.empty() ? node.op_type : node.domain + "." + node.op_type];
    if (cost->kind == NodeCost::Kind::kUnknownShape) report.unresolved_nodes.push_back(node.name);
    count.macs = convention_macs(*cost, convention);
    count.flops = convention_flops(*cost, convention);
    auto where = [&node](const char* what) { return [&node, what] { return fmt::format("node '{}' ({}): the running {}", node.name, node.op_type, what); }; };
    if (auto s = accumulate(report.macs, count.macs, graph.source, where("MAC count")); !s) return s.error();
    if (auto s = accumulate(report.flops, count.flops, graph.source, where("FLOP count")); !s) return s.error();
    for (const auto& output : node.outputs) {
      const TensorShape* shape = graph.shape(output);
      if (output.empty() || report.constant_tensors.count(output) > 0 || shape == nullptr || !shape->fully_known()) continue;
      auto bytes = checked_product(shape->dims);
      if (bytes) bytes = checked_mul(*bytes, shape->element_bytes);
      if (auto s = accumulate(count.output_bytes, bytes.value_or(-1), graph.source, where("activation size")); !s) return s.error();
    }
    if (auto s = accumulate(report.activation_bytes, count.output_bytes, graph.source, [] { return std::string("the activation memory"); }); !s)
      return s.error();
    report.nodes.push_back(std::move(count));
  }
  return report;
}

std::optional<Grouping> parse_grouping(const std::string& name) {
  if (name == "op") return Grouping::kOp;
  if (name == "layer-type") return Grouping::kLayerType;
  if (name == "node") return Grouping::kNode;
  return std::nullopt;
}

std::vector<BreakdownRow> breakdown(const FlopsReport& report, Grouping grouping) {
  std::vector<BreakdownRow> rows;
  if (grouping == Grouping::kNode) {
    for (const auto& n : report.nodes) {
      if (n.kind == NodeCost::Kind::kZeroCost) continue;
      rows.push_back({n.name, fmt::format("{} ({})", n.op_type, layer_type_name(n.layer_type)), 1, n.macs, n.flops});
    }
    return rows;
  }
  std::map<std::string, BreakdownRow> groups;
  for (const auto& n : report.nodes) {
    const std::string key = grouping == Grouping::kOp ? n.op_type : std::string(layer_type_name(n.layer_type));
    BreakdownRow& row = groups[key];
    row.key = key;
    ++row.nodes;
    // Totals already passed the overflow check, so no group sum can overflow.
    row.macs += n.macs;
    row.flops += n.flops;
  }
  for (auto& [key, row] : groups) rows.push_back(std::move(row));
  std::stable_sort(rows.begin(), rows.end(), [](const BreakdownRow& a, const BreakdownRow& b) { return a.flops > b.flops; });
  return rows;
}

}  // namespace wattcast
