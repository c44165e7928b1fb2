#include "model/model_graph.h"

#include <algorithm>

namespace wattcast {

bool TensorShape::fully_known() const {
  return std::all_of(dims.begin(), dims.end(), [](int64_t d) { return d >= 0; });
}

const NodeAttribute* GraphNode::attribute(const std::string& key) const {
  auto it = attributes.find(key);
  return it == attributes.end() ? nullptr : &it->second;
}

int64_t GraphNode::int_attribute(const std::string& key, int64_t fallback) const {
  const NodeAttribute* a = attribute(key);
  return a != nullptr && !a->ints.empty() ? a->ints.front() : fallback;
}

std::vector<int64_t> GraphNode::ints_attribute(const std::string& key) const {
  const NodeAttribute* a = attribute(key);
  return a != nullptr ? a->ints : std::vector<int64_t>{};
}

std::string GraphNode::text_attribute(const std::string& key, const std::string& fallback) const {
  const NodeAttribute* a = attribute(key);
  return a != nullptr && !a->text.empty() ? a->text : fallback;
}

const TensorShape* ModelGraph::shape(const std::string& tensor) const {
  auto it = tensors.find(tensor);
  return it == tensors.end() ? nullptr : &it->second;
}

}  // namespace wattcast
