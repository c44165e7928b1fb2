#pragma once
// The documented cost of one node (docs/FLOPS.md): multiply-accumulates of the dot-product
// operators, and FLOPs of everything, from the shapes shape inference found.

#include <cstdint>

#include "core/result.h"
#include "model/model_graph.h"

namespace wattcast {

struct NodeCost {
  enum class Kind {
    kCounted,       // arithmetic counted from known shapes
    kZeroCost,      // data movement (Reshape, Concat, ...): no arithmetic whatever the shapes
    kUnknownOp,     // an operator wattcast has no cost for: listed, never silently zero
    kUnknownShape,  // a known operator whose shapes inference could not resolve
  };
  Kind kind = Kind::kCounted;
  int64_t macs = 0;         // multiply-accumulates of Conv, ConvTranspose, Gemm, MatMul, Einsum
  int64_t flops = 0;        // 2 per MAC plus the operator's other arithmetic
  int64_t fvcore_macs = 0;  // what fvcore's default handles count for this operator
};

// An error only when a count overflows 64 bits; it names the node.
Result<NodeCost> node_cost(const GraphNode& node, const ModelGraph& graph);

}  // namespace wattcast
