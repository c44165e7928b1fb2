#include "model/shape_folding.h"

#include <algorithm>
#include <cstring>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <onnx/onnx_pb.h>

#include "model/checked_math.h"

namespace wattcast {

namespace {

// Shape computations are tiny; anything larger is data, not a shape, and is left alone.
constexpr int64_t kMaxFoldElements = 4096;

struct IntTensor {
  std::vector<int64_t> dims;
  std::vector<int64_t> values;
  bool boolean = false;
};

using Values = std::unordered_map<std::string, IntTensor>;
using Shapes = std::unordered_map<std::string, std::vector<int64_t>>;

template <typename T>
void append_raw(const std::string& raw, std::vector<int64_t>& out) {
  for (size_t offset = 0; offset + sizeof(T) <= raw.size(); offset += sizeof(T)) {
    T value;
    std::memcpy(&value, raw.data() + offset, sizeof(T));
    out.push_back(static_cast<int64_t>(value));
  }
}

std::optional<IntTensor> read_tensor(const onnx::TensorProto& tensor) {
  using T = onnx::TensorProto;
  IntTensor out;
  out.dims.assign(tensor.dims().begin(), tensor.dims().end());
  auto count = checked_product(out.dims);
  if (!count || *count > kMaxFoldElements) return std::nullopt;
  const std::string& raw = tensor.raw_data();
  switch (tensor.data_type()) {
    case T::INT64:
      out.values.assign(tensor.int64_data().begin(), tensor.int64_data().end());
      append_raw<int64_t>(raw, out.values);
      break;
    case T::INT32:
      out.values.assign(tensor.int32_data().begin(), tensor.int32_data().end());
      append_raw<int32_t>(raw, out.values);
      break;
    case T::BOOL:
      out.boolean = true;
      out.values.assign(tensor.int32_data().begin(), tensor.int32_data().end());
      append_raw<uint8_t>(raw, out.values);
      break;
    default:
      return std::nullopt;
  }
  if (static_cast<int64_t>(out.values.size()) != *count) return std::nullopt;
  return out;
}

IntTensor vector_of(std::vector<int64_t> values) { return IntTensor{{static_cast<int64_t>(values.size())}, std::move(values), false}; }

const onnx::AttributeProto* attribute(const onnx::NodeProto& node, const std::string& name) {
  for (const auto& a : node.attribute()) {
    if (a.name() == name) return &a;
  }
  return nullptr;
}

int64_t int_attribute(const onnx::NodeProto& node, const std::string& name, int64_t fallback) {
  const auto* a = attribute(node, name);
  return a != nullptr && a->has_i() ? a->i() : fallback;
}

// Numpy broadcasting, restricted to scalars and vectors (all shape arithmetic is).
std::optional<IntTensor> elementwise(const std::vector<const IntTensor*>& in, int64_t (*op)(const std::vector<int64_t>&), bool boolean) {
  size_t length = 1;
  bool vector = false;
  for (const IntTensor* t : in) {
    if (t->dims.size() > 1) return std::nullopt;
    if (t->dims.size() == 1) {
      vector = true;
      if (t->values.size() != 1 && length != 1 && t->values.size() != length) return std::nullopt;
      if (t->values.size() != 1) length = t->values.size();
    }
  }
  IntTensor out;
  out.boolean = boolean;
  if (vector) out.dims = {static_cast<int64_t>(length)};
  std::vector<int64_t> args(in.size());
  for (size_t i = 0; i < length; ++i) {
    for (size_t j = 0; j < in.size(); ++j) {
      if (in[j]->values.empty()) return std::nullopt;
      args[j] = in[j]->values.size() == 1 ? in[j]->values[0] : in[j]->values[i];
    }
    out.values.push_back(op(args));
  }
  return out;
}

// ONNX Slice: negative bounds count from the end, then clamp to the valid range for the step's
// direction. `size` is small (a shape vector), so adding it cannot overflow.
int64_t slice_bound(int64_t value, int64_t size, bool is_start, int64_t step) {
  if (value < 0) value += size;
  if (step > 0) return std::clamp<int64_t>(value, 0, size);
  return std::clamp<int64_t>(value, is_start ? 0 : -1, size - 1);
}

std::optional<IntTensor> evaluate(const onnx::NodeProto& node, const Values& values, const Shapes& shapes) {
  const std::string& op = node.op_type();
  auto in = [&](int i) -> const IntTensor* {
    if (i >= node.input_size() || node.input(i).empty()) return nullptr;
    auto it = values.find(node.input(i));
    return it == values.end() ? nullptr : &it->second;
  };
  if (op == "Shape" || op == "Size") {
    auto it = node.input_size() > 0 ? shapes.find(node.input(0)) : shapes.end();
    if (it == shapes.end()) return std::nullopt;
    const auto& dims = it->second;
    if (op == "Size") {
      auto n = checked_product(dims);
      if (!n) return std::nullopt;
      return IntTensor{{}, {*n}, false};
    }
    const auto rank = static_cast<int64_t>(dims.size());
    int64_t start = int_attribute(node, "start", 0), end = int_attribute(node, "end", rank);
    if (start < 0) start += rank;
    if (end < 0) end += rank;
    start = std::clamp<int64_t>(start, 0, rank);
    end = std::clamp<int64_t>(end, start, rank);
    return vector_of(std::vector<int64_t>(dims.begin() + start, dims.begin() + end));
  }
  if (op == "Constant") {
    const auto* a = attribute(node, "value");
    if (a != nullptr && a->has_t()) return read_tensor(a->t());
    if (const auto* i = attribute(node, "value_int")) return IntTensor{{}, {i->i()}, false};
    if (const auto* ints = attribute(node, "value_ints")) return vector_of({ints->ints().begin(), ints->ints().end()});
    return std::nullopt;
  }
  const IntTensor* x = in(0);
  if (x == nullptr) return std::nullopt;
  if (op == "Cast") {
    const int64_t to = int_attribute(node, "to", 0);
    if (to != onnx::TensorProto::INT64 && to != onnx::TensorProto::INT32) return std::nullopt;
    IntTensor out = *x;
    out.boolean = false;
    return out;
  }
  if (op == "Gather") {
    const IntTensor* indices = in(1);
    if (indices == nullptr || x->dims.size() != 1 || int_attribute(node, "axis", 0) != 0) return std::nullopt;
    IntTensor out{indices->dims, {}, x->boolean};
    const auto size = static_cast<int64_t>(x->values.size());
    for (int64_t i : indices->values) {
      if (i < 0) i += size;
      if (i < 0 || i >= size) return std::nullopt;
      out.values.push_back(x->values[static_cast<size_t>(i)]);
    }
    return out;
  }
  if (op == "Unsqueeze" || op == "Squeeze") {
    // Only the rank changes between a scalar and a one-element vector; values stay.
    IntTensor out = *x;
    if (op == "Unsqueeze" && x->dims.empty()) out.dims = {1};
    else if (op == "Squeeze" && x->dims.size() == 1 && x->values.size() == 1) out.dims = {};
    else return std::nullopt;
    return out;
  }
  if (op == "Concat") {
    IntTensor out{{0}, {}, x->boolean};
    for (int i = 0; i < node.input_size(); ++i) {
      const IntTensor* part = in(i);
      if (part == nullptr || part->dims.size() != 1) return std::nullopt;
      out.values.insert(out.values.end(), part->values.begin(), part->values.end());
    }
    out.dims[0] = static_cast<int64_t>(out.values.size());
    return out;
  }
  if (op == "Slice") {
    const IntTensor *starts = in(1), *ends = in(2), *axes = in(3), *steps = in(4);
    if (starts == nullptr || ends == nullptr || x->dims.size() != 1 || starts->values.size() != 1 || ends->values.size() != 1) return std::nullopt;
    if (axes != nullptr && (axes->values.size() != 1 || (axes->values[0] != 0 && axes->values[0] != -1))) return std::nullopt;
    const int64_t step = steps != nullptr && steps->values.size() == 1 ? steps->values[0] : 1;
    if (step == 0) return std::nullopt;
    const auto size = static_cast<int64_t>(x->values.size());
    if (size == 0) return std::nullopt;
    const int64_t begin = slice_bound(starts->values[0], size, true, step);
    const int64_t end = slice_bound(ends->values[0], size, false, step);
    std::vector<int64_t> picked;
    for (int64_t i = begin; step > 0 ? i < end : i > end;) {
      picked.push_back(x->values[static_cast<size_t>(i)]);
      if (__builtin_add_overflow(i, step, &i)) break;  // a step near 2^63 takes one element
    }
    IntTensor out = vector_of(std::move(picked));
    out.boolean = x->boolean;
    return out;
  }
  if (op == "ConstantOfShape") {
    IntTensor fill{{}, {0}, false};
    if (const auto* a = attribute(node, "value"); a != nullptr && a->has_t()) {
      auto value = read_tensor(a->t());
      if (!value || value->values.size() != 1) return std::nullopt;
      fill = *value;
    }
    if (x->dims.size() != 1) return std::nullopt;
    auto count = checked_product(x->values);
    if (!count || *count > kMaxFoldElements) return std::nullopt;
    return IntTensor{x->values, std::vector<int64_t>(static_cast<size_t>(*count), fill.values[0]), fill.boolean};
  }
  const IntTensor* y = in(1);
  if (y == nullptr) return std::nullopt;
  if (op == "Equal") return elementwise({x, y}, [](const std::vector<int64_t>& a) -> int64_t { return a[0] == a[1]; }, true);
  if (op == "Add") return elementwise({x, y}, [](const std::vector<int64_t>& a) { return checked_add(a[0], a[1]).value_or(0); }, false);
  if (op == "Sub") return elementwise({x, y}, [](const std::vector<int64_t>& a) { return checked_sub(a[0], a[1]).value_or(0); }, false);
  if (op == "Mul") return elementwise({x, y}, [](const std::vector<int64_t>& a) { return checked_mul(a[0], a[1]).value_or(0); }, false);
  if (op == "Div") {
    if (std::find(y->values.begin(), y->values.end(), 0) != y->values.end()) return std::nullopt;
    return elementwise({x, y}, [](const std::vector<int64_t>& a) { return a[0] == INT64_MIN && a[1] == -1 ? 0 : a[0] / a[1]; }, false);
  }
  if (op == "Where") {
    const IntTensor* z = in(2);
    if (z == nullptr) return std::nullopt;
    return elementwise({x, y, z}, [](const std::vector<int64_t>& a) { return a[0] != 0 ? a[1] : a[2]; }, y->boolean);
  }
  return std::nullopt;
}

void collect_shapes(const google::protobuf::RepeatedPtrField<onnx::ValueInfoProto>& infos, Shapes& shapes) {
  for (const auto& info : infos) {
    if (!info.type().has_tensor_type() || !info.type().tensor_type().has_shape()) continue;
    std::vector<int64_t> dims;
    bool known = true;
    for (const auto& d : info.type().tensor_type().shape().dim()) {
      known = known && d.has_dim_value() && d.dim_value() >= 0;
      dims.push_back(d.dim_value());
    }
    if (known) shapes[info.name()] = std::move(dims);
  }
}

void make_constant(onnx::NodeProto& node, const IntTensor& value) {
  const std::string output = node.output(0);
  const std::string name = node.name();
  node.Clear();
  node.set_name(name);
  node.set_op_type("Constant");
  node.add_output(output);
  auto* a = node.add_attribute();
  a->set_name("value");
  a->set_type(onnx::AttributeProto::TENSOR);
  auto* t = a->mutable_t();
  for (int64_t d : value.dims) t->add_dims(d);
  if (value.boolean) {
    t->set_data_type(onnx::TensorProto::BOOL);
    for (int64_t v : value.values) t->add_int32_data(v != 0 ? 1 : 0);
  } else {
    t->set_data_type(onnx::TensorProto::INT64);
    for (int64_t v : value.values) t->add_int64_data(v);
  }
}

}  // namespace

int fold_shape_computations(onnx::ModelProto& model) {
  auto& graph = *model.mutable_graph();
  Shapes shapes;
  collect_shapes(graph.input(), shapes);
  collect_shapes(graph.value_info(), shapes);
  collect_shapes(graph.output(), shapes);
  Values values;
  for (const auto& tensor : graph.initializer()) {
    if (auto value = read_tensor(tensor)) values[tensor.name()] = std::move(*value);
  }
  int folded = 0;
  for (auto& node : *graph.mutable_node()) {
    if (node.output_size() != 1 || !node.domain().empty()) continue;
    auto value = evaluate(node, values, shapes);
    if (!value || static_cast<int64_t>(value->values.size()) > kMaxFoldElements) continue;
    if (node.op_type() != "Constant") {
      make_constant(node, *value);
      ++folded;
    }
    values[node.output(0)] = std::move(*value);
  }
  return folded;
}

}  // namespace wattcast
