#pragma once
// Counts a whole model: per node MACs and FLOPs in a chosen convention, parameters, activation
// memory, and what could not be counted.

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/result.h"
#include "model/layer_types.h"
#include "model/model_graph.h"
#include "model/op_costs.h"

namespace wattcast {

// Counters disagree because they count different things; each convention is one of them
// (docs/FLOPS.md).
enum class Convention {
  kWattcast,     // MACs of dot products; FLOPs = 2 x MACs + every other operator's arithmetic
  kTorchvision,  // MACs of convolution and linear layers (incl. MatMul, Einsum); FLOPs = 2 x MACs
  kFvcore,       // fvcore's default handles (its "flops" are MACs); FLOPs = 2 x that
};

std::optional<Convention> parse_convention(const std::string& name);
std::string convention_name(Convention convention);

struct NodeCount {
  std::string name;
  std::string op_type;
  LayerType layer_type = LayerType::kOther;
  NodeCost::Kind kind = NodeCost::Kind::kCounted;
  int64_t macs = 0;   // in the report's convention
  int64_t flops = 0;  // in the report's convention
  int64_t output_bytes = 0;
};

struct FlopsReport {
  Convention convention = Convention::kWattcast;
  int64_t macs = 0;
  int64_t flops = 0;
  int64_t params = 0;            // trainable weights: floating-point initializers, each once
  int64_t activation_bytes = 0;  // every node output computed from the input, at the counted batch
  std::vector<NodeCount> nodes;
  std::map<std::string, int> unknown_ops;     // operator -> nodes, costs not counted
  std::vector<std::string> unresolved_nodes;  // known operators whose shapes stayed unknown
  TensorSet constant_tensors;                 // computed from initializers alone
  std::set<std::string> param_initializers;
  std::map<std::string, std::vector<int64_t>> input_shapes;

  bool complete() const { return unknown_ops.empty() && unresolved_nodes.empty(); }
};

Result<FlopsReport> count_flops(const ModelGraph& graph, Convention convention);

enum class Grouping { kOp, kLayerType, kNode };
std::optional<Grouping> parse_grouping(const std::string& name);

struct BreakdownRow {
  std::string key;
  std::string detail;  // node rows: operator and layer type
  int nodes = 0;
  int64_t macs = 0;
  int64_t flops = 0;
};

// Rows by descending FLOPs (nodes keep graph order).
std::vector<BreakdownRow> breakdown(const FlopsReport& report, Grouping grouping);

}  // namespace wattcast
