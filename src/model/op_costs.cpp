#include "model/op_costs.h"

#include <algorithm>
#include <cctype>
#include <optional>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <fmt/format.h>

#include "model/checked_math.h"

namespace wattcast {

namespace {

using Dims = std::vector<int64_t>;

// Shape lookups and checked arithmetic for one node. An overflow is remembered rather than
// wrapped, and reported once the node's cost is complete.
class CostContext {
 public:
  CostContext(const GraphNode& node, const ModelGraph& graph) : node_(node), graph_(graph) {}

  const GraphNode& node() const { return node_; }
  bool has_input(size_t i) const { return i < node_.inputs.size() && !node_.inputs[i].empty(); }
  size_t input_count() const {
    return static_cast<size_t>(std::count_if(node_.inputs.begin(), node_.inputs.end(), [](const std::string& t) { return !t.empty(); }));
  }
  std::optional<Dims> input(size_t i) const { return has_input(i) ? known(node_.inputs[i]) : std::nullopt; }
  std::optional<Dims> output(size_t i = 0) const {
    return i < node_.outputs.size() && !node_.outputs[i].empty() ? known(node_.outputs[i]) : std::nullopt;
  }

  int64_t mul(int64_t a, int64_t b) {
    auto r = checked_mul(a, b);
    overflowed_ = overflowed_ || !r;
    return r.value_or(0);
  }
  int64_t add(int64_t a, int64_t b) {
    auto r = checked_add(a, b);
    overflowed_ = overflowed_ || !r;
    return r.value_or(0);
  }
  int64_t numel(const Dims& dims) {
    auto r = checked_product(dims);
    overflowed_ = overflowed_ || !r;
    return r.value_or(0);
  }
  bool overflowed() const { return overflowed_; }

 private:
  std::optional<Dims> known(const std::string& tensor) const {
    const TensorShape* shape = graph_.shape(tensor);
    if (shape == nullptr || !shape->fully_known()) return std::nullopt;
    return shape->dims;
  }

  const GraphNode& node_;
  const ModelGraph& graph_;
  bool overflowed_ = false;
};

using CostFn = std::optional<NodeCost> (*)(CostContext&);

NodeCost flops_only(int64_t flops, int64_t fvcore = 0) { return NodeCost{NodeCost::Kind::kCounted, 0, flops, fvcore}; }

// Dot-product operators: FLOPs = 2 per MAC plus one add per output for a bias.
NodeCost dot_product(CostContext& c, int64_t macs, int64_t extra_flops) {
  return NodeCost{NodeCost::Kind::kCounted, macs, c.add(c.mul(2, macs), extra_flops), macs};
}

std::optional<NodeCost> conv(CostContext& c) {
  auto w = c.input(1);
  auto y = c.output();
  if (!w || !y || w->size() < 2) return std::nullopt;
  // Each output element is a dot product over C/group input channels times the kernel window.
  const int64_t per_output = c.numel(Dims(w->begin() + 1, w->end()));
  const int64_t outputs = c.numel(*y);
  return dot_product(c, c.mul(outputs, per_output), c.has_input(2) ? outputs : 0);
}

std::optional<NodeCost> conv_transpose(CostContext& c) {
  auto x = c.input(0);
  auto w = c.input(1);
  auto y = c.output();
  if (!x || !w || !y || w->size() < 2) return std::nullopt;
  // Each input element is scattered into M/group output channels times the kernel window.
  const int64_t per_input = c.numel(Dims(w->begin() + 1, w->end()));
  return dot_product(c, c.mul(c.numel(*x), per_input), c.has_input(2) ? c.numel(*y) : 0);
}

std::optional<NodeCost> gemm(CostContext& c) {
  auto a = c.input(0);
  auto y = c.output();
  if (!a || !y || a->size() != 2) return std::nullopt;
  const int64_t k = c.node().int_attribute("transA", 0) != 0 ? (*a)[0] : (*a)[1];
  const int64_t outputs = c.numel(*y);
  int64_t extra = 0;
  const NodeAttribute* alpha = c.node().attribute("alpha");
  const NodeAttribute* beta = c.node().attribute("beta");
  if (alpha != nullptr && !alpha->floats.empty() && alpha->floats.front() != 1.0) extra = c.add(extra, outputs);
  if (c.has_input(2)) {
    extra = c.add(extra, outputs);
    if (beta != nullptr && !beta->floats.empty() && beta->floats.front() != 1.0) extra = c.add(extra, outputs);
  }
  return dot_product(c, c.mul(outputs, k), extra);
}

std::optional<NodeCost> matmul(CostContext& c) {
  auto a = c.input(0);
  auto y = c.output();
  if (!a || !y || a->empty()) return std::nullopt;
  // Batched as in attention: every output element is a dot product over A's last axis.
  return dot_product(c, c.mul(c.numel(*y), a->back()), 0);
}

// Einsum by its equation: a naive contraction multiplies once per combination of all indices
// for each operand beyond the first. "..." stands for broadcast leading axes.
std::optional<NodeCost> einsum(CostContext& c) {
  const std::string equation = c.node().text_attribute("equation", "");
  std::string lhs = equation.substr(0, equation.find("->"));
  lhs.erase(std::remove(lhs.begin(), lhs.end(), ' '), lhs.end());
  std::vector<std::string> terms;
  for (size_t start = 0;;) {
    const size_t comma = lhs.find(',', start);
    terms.push_back(lhs.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  if (terms.size() != c.node().inputs.size()) return std::nullopt;
  std::unordered_map<char, int64_t> sizes;
  Dims ellipsis;  // right-aligned broadcast of every operand's "..." axes
  int64_t elements_in = 0;
  for (size_t i = 0; i < terms.size(); ++i) {
    auto dims = c.input(i);
    if (!dims) return std::nullopt;
    elements_in = c.add(elements_in, c.numel(*dims));
    std::string term = terms[i];
    const size_t dots = term.find("...");
    const bool has_ellipsis = dots != std::string::npos;
    if (has_ellipsis) term.erase(dots, 3);
    if (term.size() > dims->size() || (!has_ellipsis && term.size() != dims->size())) return std::nullopt;
    const size_t ellipsis_rank = dims->size() - term.size();
    const size_t letters_before = has_ellipsis ? dots : term.size();
    for (size_t j = 0; j < term.size(); ++j) {
      if (!std::isalpha(static_cast<unsigned char>(term[j]))) return std::nullopt;
      const size_t axis = j < letters_before ? j : j + ellipsis_rank;
      int64_t& size = sizes[term[j]];
      size = std::max(size, (*dims)[axis]);
    }
    if (ellipsis_rank > ellipsis.size()) ellipsis.insert(ellipsis.begin(), ellipsis_rank - ellipsis.size(), 1);
    for (size_t j = 0; j < ellipsis_rank; ++j) {
      int64_t& size = ellipsis[ellipsis.size() - ellipsis_rank + j];
      size = std::max(size, (*dims)[letters_before + j]);
    }
  }
  if (terms.size() == 1) return flops_only(elements_in);  // a sum over axes, or a transpose at most
  int64_t combinations = c.numel(ellipsis);
  for (const auto& [letter, size] : sizes) combinations = c.mul(combinations, size);
  const int64_t macs = c.mul(combinations, static_cast<int64_t>(terms.size() - 1));
  return dot_product(c, macs, 0);
}

// Normalizations: mean (1 add), centre (1 sub), square (1 mul), variance (1 add), scale by the
// reciprocal deviation (1 mul) per element, plus 1 each for the affine scale and shift.
std::optional<NodeCost> layer_norm(CostContext& c) {
  auto x = c.input(0);
  if (!x) return std::nullopt;
  const int64_t n = c.numel(*x);
  const int64_t affine = (c.has_input(1) ? 1 : 0) + (c.has_input(2) ? 1 : 0);
  return flops_only(c.mul(n, 5 + affine), c.mul(n, affine > 0 ? 5 : 4));
}

std::optional<NodeCost> batch_norm(CostContext& c) {
  if (c.node().int_attribute("training_mode", 0) != 0) return layer_norm(c);
  auto x = c.input(0);
  if (!x) return std::nullopt;
  // At inference the statistics are fixed: one multiply and one add per element once scale and
  // shift are folded per channel.
  const int64_t n = c.numel(*x);
  return flops_only(c.mul(n, 2), c.mul(n, 2));
}

std::optional<NodeCost> lrn(CostContext& c) {
  auto x = c.input(0);
  if (!x) return std::nullopt;
  const int64_t size = std::clamp<int64_t>(c.node().int_attribute("size", 1), 1, kMaxDim);
  return flops_only(c.mul(c.numel(*x), c.add(c.mul(2, size), 3)));
}

template <int64_t kPerElement>
std::optional<NodeCost> per_output_element(CostContext& c) {
  auto y = c.output();
  if (!y) return std::nullopt;
  return flops_only(c.mul(c.numel(*y), kPerElement));
}

template <int64_t kPerElement>
std::optional<NodeCost> per_input_element(CostContext& c) {
  auto x = c.input(0);
  if (!x) return std::nullopt;
  return flops_only(c.mul(c.numel(*x), kPerElement));
}

// Add, Mul, Max, Sum, ...: n inputs combine with n - 1 operations per output element.
std::optional<NodeCost> variadic(CostContext& c) {
  auto y = c.output();
  if (!y) return std::nullopt;
  const int64_t ops = std::max<int64_t>(1, static_cast<int64_t>(c.input_count()) - 1);
  int64_t flops = c.mul(c.numel(*y), ops);
  if (c.node().op_type == "Mean") flops = c.add(flops, c.numel(*y));
  return flops_only(flops);
}

int64_t kernel_elements(CostContext& c) {
  Dims kernel = c.node().ints_attribute("kernel_shape");
  for (int64_t& k : kernel) k = std::clamp<int64_t>(k, 0, kMaxDim);
  return c.numel(kernel);
}

std::optional<NodeCost> max_pool(CostContext& c) {
  auto y = c.output();
  if (!y) return std::nullopt;
  return flops_only(c.mul(c.numel(*y), std::max<int64_t>(0, kernel_elements(c) - 1)));  // k - 1 comparisons
}

std::optional<NodeCost> average_pool(CostContext& c) {
  auto y = c.output();
  if (!y) return std::nullopt;
  return flops_only(c.mul(c.numel(*y), kernel_elements(c)));  // k - 1 adds and a divide
}

std::optional<NodeCost> global_average_pool(CostContext& c) {
  auto x = c.input(0);
  if (!x) return std::nullopt;
  const int64_t n = c.numel(*x);
  return flops_only(n, n);  // fvcore counts adaptive average pooling by its input
}

std::optional<NodeCost> global_max_pool(CostContext& c) {
  auto x = c.input(0);
  auto y = c.output();
  if (!x || !y) return std::nullopt;
  return flops_only(std::max<int64_t>(0, c.numel(*x) - c.numel(*y)));
}

// Interpolation per output element over the r axes that change size: nearest copies; linear
// weighs 2^r neighbours (2^r multiplies, 2^r - 1 adds); cubic 4^r.
std::optional<NodeCost> resize(CostContext& c) {
  auto x = c.input(0);
  auto y = c.output();
  if (!x || !y || x->size() != y->size()) return std::nullopt;
  const std::string mode = c.node().text_attribute("mode", "nearest");
  int64_t resized_axes = 0;
  for (size_t i = 0; i < x->size(); ++i) resized_axes += (*x)[i] != (*y)[i] ? 1 : 0;
  const int64_t outputs = c.numel(*y);
  int64_t neighbours = 0;
  if (mode == "linear" || mode == "bilinear") neighbours = int64_t{1} << std::min<int64_t>(resized_axes, 8);
  if (mode == "cubic" || mode == "bicubic") neighbours = int64_t{1} << std::min<int64_t>(2 * resized_axes, 16);
  return flops_only(neighbours == 0 ? 0 : c.mul(outputs, 2 * neighbours - 1), outputs);
}

std::optional<NodeCost> zero_cost(CostContext&) { return NodeCost{NodeCost::Kind::kZeroCost, 0, 0, 0}; }

const std::unordered_map<std::string_view, CostFn>& cost_table() {
  static const std::unordered_map<std::string_view, CostFn> kCosts = {
      {"Conv", conv}, {"ConvTranspose", conv_transpose}, {"Gemm", gemm}, {"MatMul", matmul}, {"Einsum", einsum},
      {"BatchNormalization", batch_norm}, {"LayerNormalization", layer_norm}, {"InstanceNormalization", layer_norm},
      {"GroupNormalization", layer_norm}, {"MeanVarianceNormalization", per_input_element<5>}, {"LRN", lrn},
      {"Relu", per_output_element<1>}, {"ThresholdedRelu", per_output_element<1>}, {"LeakyRelu", per_output_element<2>},
      {"PRelu", per_output_element<2>}, {"Clip", per_output_element<2>}, {"Sigmoid", per_output_element<4>},
      {"HardSigmoid", per_output_element<4>}, {"HardSwish", per_output_element<5>}, {"Tanh", per_output_element<1>},
      {"Erf", per_output_element<1>}, {"Elu", per_output_element<3>}, {"Celu", per_output_element<3>},
      {"Selu", per_output_element<4>}, {"Softplus", per_output_element<3>}, {"Softsign", per_output_element<3>},
      {"Gelu", per_output_element<5>}, {"Mish", per_output_element<5>}, {"Softmax", per_output_element<5>},
      {"LogSoftmax", per_output_element<5>},
      {"MaxPool", max_pool}, {"AveragePool", average_pool}, {"GlobalAveragePool", global_average_pool},
      {"GlobalMaxPool", global_max_pool},
      {"Add", variadic}, {"Sub", variadic}, {"Mul", variadic}, {"Div", variadic}, {"Pow", variadic}, {"Max", variadic},
      {"Min", variadic}, {"Sum", variadic}, {"Mean", variadic}, {"Mod", variadic}, {"And", variadic}, {"Or", variadic},
      {"Xor", variadic}, {"Equal", variadic}, {"Less", variadic}, {"Greater", variadic}, {"LessOrEqual", variadic},
      {"GreaterOrEqual", variadic}, {"BitShift", variadic},
      {"Neg", per_output_element<1>}, {"Abs", per_output_element<1>}, {"Sqrt", per_output_element<1>},
      {"Exp", per_output_element<1>}, {"Log", per_output_element<1>}, {"Reciprocal", per_output_element<1>},
      {"Ceil", per_output_element<1>}, {"Floor", per_output_element<1>}, {"Round", per_output_element<1>},
      {"Sign", per_output_element<1>}, {"Sin", per_output_element<1>}, {"Cos", per_output_element<1>},
      {"Tan", per_output_element<1>}, {"Not", per_output_element<1>}, {"IsNaN", per_output_element<1>},
      {"IsInf", per_output_element<1>}, {"Where", per_output_element<1>},
      {"ReduceSum", per_input_element<1>}, {"ReduceMean", per_input_element<1>}, {"ReduceMax", per_input_element<1>},
      {"ReduceMin", per_input_element<1>}, {"ReduceProd", per_input_element<1>}, {"ReduceSumSquare", per_input_element<2>},
      {"ReduceL1", per_input_element<2>}, {"ReduceL2", per_input_element<2>}, {"ReduceLogSum", per_input_element<2>},
      {"ReduceLogSumExp", per_input_element<2>}, {"ArgMax", per_input_element<1>}, {"ArgMin", per_input_element<1>},
      {"Resize", resize}, {"Upsample", resize},
      {"Concat", zero_cost}, {"Reshape", zero_cost}, {"Transpose", zero_cost}, {"Flatten", zero_cost},
      {"Squeeze", zero_cost}, {"Unsqueeze", zero_cost}, {"Identity", zero_cost}, {"Shape", zero_cost}, {"Size", zero_cost},
      {"Gather", zero_cost}, {"GatherElements", zero_cost}, {"GatherND", zero_cost}, {"Slice", zero_cost},
      {"Split", zero_cost}, {"Cast", zero_cost}, {"CastLike", zero_cost}, {"Constant", zero_cost},
      {"ConstantOfShape", zero_cost}, {"Expand", zero_cost}, {"Tile", zero_cost}, {"Pad", zero_cost},
      {"Dropout", zero_cost}, {"Range", zero_cost}, {"DepthToSpace", zero_cost}, {"SpaceToDepth", zero_cost},
      {"ScatterND", zero_cost}, {"ScatterElements", zero_cost}, {"NonZero", zero_cost}, {"OneHot", zero_cost},
      {"EyeLike", zero_cost}, {"Trilu", zero_cost},
  };
  return kCosts;
}

}  // namespace

Result<NodeCost> node_cost(const GraphNode& node, const ModelGraph& graph) {
  auto it = node.domain.empty() ? cost_table().find(node.op_type) : cost_table().end();
  if (it == cost_table().end()) return NodeCost{NodeCost::Kind::kUnknownOp, 0, 0, 0};
  CostContext context(node, graph);
  std::optional<NodeCost> cost = it->second(context);
  if (context.overflowed())
    return Error::in_file(graph.source, fmt::format("node '{}' ({}): its operation count overflows 64 bits (absurd shapes?)", node.name, node.op_type));
  if (!cost) return NodeCost{NodeCost::Kind::kUnknownShape, 0, 0, 0};
  return *cost;
}

}  // namespace wattcast
