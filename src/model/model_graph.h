#pragma once
// A loaded ONNX model reduced to what counting needs: nodes in order with their attributes, and
// every tensor's shape after shape inference. Free of protobuf types, so the counter and its
// tests do not depend on how the model was parsed.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace wattcast {

// Larger dims are refused as absurd: no real input or weight is 2^32 wide, and refusing them
// keeps every product of a few dims far from overflow.
// Tensor names looked up once per node input: hashed, not ordered.
using TensorSet = std::unordered_set<std::string>;

inline constexpr int64_t kMaxDim = int64_t{1} << 32;

struct TensorShape {
  std::vector<int64_t> dims;  // kUnknownDim where shape inference could not tell
  int element_bytes = 0;      // 0 when the element type is unknown or not a plain number

  static constexpr int64_t kUnknownDim = -1;
  bool fully_known() const;
};

struct NodeAttribute {
  std::vector<int64_t> ints;  // an INT attribute is a list of one
  std::vector<double> floats;
  std::string text;
};

struct GraphNode {
  std::string name;  // the node's name, or "<op>#<index>" when the file gives none
  std::string op_type;
  std::string domain;  // empty for the default ONNX domain
  std::vector<std::string> inputs;  // an empty name is an omitted optional input
  std::vector<std::string> outputs;
  std::map<std::string, NodeAttribute> attributes;

  const NodeAttribute* attribute(const std::string& key) const;
  int64_t int_attribute(const std::string& key, int64_t fallback) const;
  std::vector<int64_t> ints_attribute(const std::string& key) const;
  std::string text_attribute(const std::string& key, const std::string& fallback) const;
};

struct Initializer {
  std::vector<int64_t> dims;
  bool floating_point = false;  // weights; integer initializers are shape arguments
};

struct ModelGraph {
  std::string source;  // the file, for error messages
  std::vector<GraphNode> nodes;  // topologically sorted
  std::unordered_map<std::string, TensorShape> tensors;
  std::unordered_map<std::string, Initializer> initializers;
  std::vector<std::string> inputs;  // graph inputs that are not initializers, in file order

  const TensorShape* shape(const std::string& tensor) const;
  bool is_initializer(const std::string& tensor) const { return initializers.count(tensor) > 0; }
};

}  // namespace wattcast
