#include "model/input_shapes.h"

#include <charconv>
#include <set>

#include <fmt/format.h>
#include <onnx/onnx_pb.h>

namespace wattcast {

namespace {

std::optional<int64_t> parse_dim(const std::string& text) {
  int64_t value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end || value <= 0 || value > kMaxDim) return std::nullopt;
  return value;
}

void set_dims(onnx::TensorShapeProto& shape, const std::vector<int64_t>& dims) {
  shape.clear_dim();
  for (int64_t d : dims) shape.add_dim()->set_dim_value(d);
}

}  // namespace

Result<std::pair<std::string, std::vector<int64_t>>> parse_input_shape(const std::string& spec) {
  const auto eq = spec.rfind('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == spec.size())
    return Error{"--input: expected NAME=DIMS such as input=1x3x224x224, got '" + spec + "'"};
  std::vector<int64_t> dims;
  const std::string text = spec.substr(eq + 1);
  size_t start = 0;
  while (start <= text.size()) {
    const size_t x = text.find('x', start);
    const std::string part = text.substr(start, x == std::string::npos ? std::string::npos : x - start);
    auto dim = parse_dim(part);
    if (!dim) return Error{fmt::format("--input: dimension '{}' of '{}' must be a whole number from 1 to {}", part, spec, kMaxDim)};
    dims.push_back(*dim);
    if (x == std::string::npos) break;
    start = x + 1;
  }
  return std::pair{spec.substr(0, eq), dims};
}

Status apply_input_shapes(onnx::GraphProto& graph, const InputShapeOptions& options, const std::string& source) {
  std::set<std::string> initializers;
  for (const auto& tensor : graph.initializer()) initializers.insert(tensor.name());
  std::set<std::string> used;
  std::string names;
  for (auto& input : *graph.mutable_input()) {
    if (initializers.count(input.name()) > 0) continue;  // IR < 4 lists weights as inputs too
    names += (names.empty() ? "" : ", ") + input.name();
    if (!input.type().has_tensor_type()) return Error::in_file(source, fmt::format("input '{}' is not a tensor", input.name()));
    auto& shape = *input.mutable_type()->mutable_tensor_type()->mutable_shape();
    if (auto given = options.shapes.find(input.name()); given != options.shapes.end()) {
      // A shape of another rank would count nothing (no operator matches it), silently.
      const int declared = input.type().tensor_type().has_shape() ? shape.dim_size() : 0;
      if (declared > 0 && static_cast<size_t>(declared) != given->second.size()) {
        return Error::in_file(source, fmt::format("--input {}: the model's input '{}' has {} dimensions, the shape given has {}", input.name(),
                                                  input.name(), declared, given->second.size()));
      }
      set_dims(shape, given->second);
      used.insert(input.name());
      continue;
    }
    const int rank = shape.dim_size();
    if (options.input_size && rank == 4) {
      // Images are NCHW (PyTorch) unless the channels (1 or 3) sit last, as TensorFlow exports them.
      auto channels = [&](int i) { return shape.dim(i).has_dim_value() && (shape.dim(i).dim_value() == 1 || shape.dim(i).dim_value() == 3); };
      const int height = !channels(1) && channels(3) ? 1 : 2;
      shape.mutable_dim(height)->set_dim_value(*options.input_size);
      shape.mutable_dim(height + 1)->set_dim_value(*options.input_size);
    }
    if (rank > 0 && (options.batch || !shape.dim(0).has_dim_value())) shape.mutable_dim(0)->set_dim_value(options.batch.value_or(1));
    for (int i = 0; i < rank; ++i) {
      const auto& dim = shape.dim(i);
      if (!dim.has_dim_value()) {
        const std::string symbol = dim.has_dim_param() ? " ('" + dim.dim_param() + "')" : "";
        return Error::in_file(source, fmt::format("input '{}' dimension {} is symbolic{}; give its shape with --input {}=...", input.name(), i,
                                                  symbol, input.name()));
      }
      if (dim.dim_value() < 0 || dim.dim_value() > kMaxDim)
        return Error::in_file(source, fmt::format("input '{}' dimension {} is {}, outside 0 to {}", input.name(), i, dim.dim_value(), kMaxDim));
    }
  }
  for (const auto& [name, dims] : options.shapes) {
    if (used.count(name) == 0) return Error::in_file(source, fmt::format("--input: the model has no input '{}' (its inputs: {})", name, names));
  }
  return ok_status();
}

}  // namespace wattcast
