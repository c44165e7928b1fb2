// Each operator's count against a figure worked out by hand (docs/FLOPS.md gives the rules).

#include <gtest/gtest.h>

#include "model/flops_counter.h"
#include "model/onnx_loader.h"
#include "model/onnx_builder.h"

namespace wattcast {
namespace {

using testing::OnnxBuilder;
using testing::set_int;
using testing::set_ints;
using testing::set_string;

FlopsReport count(const OnnxBuilder& model, const InputShapeOptions& options = {}, Convention convention = Convention::kWattcast) {
  auto graph = load_onnx_bytes(model.bytes(), "test.onnx", options);
  EXPECT_TRUE(graph.ok()) << graph.error().message;
  if (!graph) return {};
  auto report = count_flops(*graph, convention);
  EXPECT_TRUE(report.ok()) << report.error().message;
  return report ? *report : FlopsReport{};
}

TEST(OpCosts, GroupedConvWithStridesPaddingAndDilation) {
  OnnxBuilder m;
  m.input("x", {1, 4, 8, 8}).weight("w", {6, 2, 3, 3}).weight("b", {6});
  auto& conv = m.node("Conv", {"x", "w", "b"}, {"y"});
  set_int(conv, "group", 2);
  set_ints(conv, "pads", {1, 1, 1, 1});
  set_ints(conv, "strides", {2, 2});
  set_ints(conv, "dilations", {2, 2});
  m.output("y");
  // Output 3x3 (effective kernel 5, padded 10 wide, stride 2): 54 outputs x 2 channels x 9 taps.
  const FlopsReport r = count(m);
  EXPECT_EQ(r.macs, 54 * 18);
  EXPECT_EQ(r.flops, 2 * 54 * 18 + 54);  // plus one add per output for the bias
  EXPECT_EQ(r.params, 6 * 2 * 9 + 6);
  EXPECT_EQ(r.nodes.at(0).layer_type, LayerType::kConvolution);
}

TEST(OpCosts, DepthwiseConv) {
  OnnxBuilder m;
  m.input("x", {1, 8, 10, 10}).weight("w", {8, 1, 3, 3});
  auto& conv = m.node("Conv", {"x", "w"}, {"y"});
  set_int(conv, "group", 8);
  set_ints(conv, "pads", {1, 1, 1, 1});
  m.output("y");
  EXPECT_EQ(count(m).macs, 800 * 9);
}

TEST(OpCosts, ConvTransposeScattersEveryInputElement) {
  OnnxBuilder m;
  m.input("x", {1, 4, 5, 5}).weight("w", {4, 3, 3, 3});
  set_ints(m.node("ConvTranspose", {"x", "w"}, {"y"}), "strides", {2, 2});
  m.output("y");
  EXPECT_EQ(count(m).macs, 100 * 27);
}

TEST(OpCosts, GemmWithBiasAndTransposedWeight) {
  OnnxBuilder m;
  m.input("a", {2, 16}).weight("w", {10, 16}).weight("c", {10});
  set_int(m.node("Gemm", {"a", "w", "c"}, {"y"}), "transB", 1);
  m.output("y");
  const FlopsReport r = count(m);
  EXPECT_EQ(r.macs, 2 * 10 * 16);
  EXPECT_EQ(r.flops, 2 * 320 + 20);
  EXPECT_EQ(r.nodes.at(0).layer_type, LayerType::kLinear);
}

TEST(OpCosts, BatchedMatMulOfTwoActivationsIsAttention) {
  OnnxBuilder m;
  m.input("q", {2, 12, 197, 64}).input("k", {2, 12, 64, 197});
  m.node("MatMul", {"q", "k"}, {"s"});
  set_int(m.node("Softmax", {"s"}, {"p"}), "axis", -1);
  m.output("p");
  const FlopsReport r = count(m);
  EXPECT_EQ(r.macs, int64_t{2} * 12 * 197 * 197 * 64);
  EXPECT_EQ(r.nodes.at(0).layer_type, LayerType::kAttention);
  EXPECT_EQ(r.nodes.at(1).layer_type, LayerType::kAttention);  // softmax over attention scores
  EXPECT_EQ(r.flops, 2 * r.macs + 5 * int64_t{2} * 12 * 197 * 197);
}

TEST(OpCosts, MatMulWithWeightIsLinearAndSharedWeightsCountOnce) {
  OnnxBuilder m;
  m.input("x", {3, 8}).weight("w", {8, 8});
  m.node("MatMul", {"x", "w"}, {"h"});
  m.node("MatMul", {"h", "w"}, {"y"});
  m.output("y");
  const FlopsReport r = count(m);
  EXPECT_EQ(r.macs, 2 * 3 * 8 * 8);
  EXPECT_EQ(r.params, 64);
  EXPECT_EQ(r.nodes.at(1).layer_type, LayerType::kLinear);
}

TEST(OpCosts, EinsumFromItsEquation) {
  OnnxBuilder m;
  m.input("a", {1, 2, 5, 4}).input("b", {1, 2, 6, 4});
  set_string(m.node("Einsum", {"a", "b"}, {"y"}), "equation", "bhqd,bhkd->bhqk");
  m.output("y");
  EXPECT_EQ(count(m).macs, 1 * 2 * 5 * 4 * 6);
}

TEST(OpCosts, EinsumWithEllipsis) {
  OnnxBuilder m;
  m.input("a", {3, 2, 5, 4}).input("b", {4, 7});
  set_string(m.node("Einsum", {"a", "b"}, {"y"}), "equation", "...ij,jk->...ik");
  m.output("y");
  EXPECT_EQ(count(m).macs, 3 * 2 * 5 * 4 * 7);
}

TEST(OpCosts, NormalizationsActivationsAndPooling) {
  OnnxBuilder m;
  m.input("x", {1, 3, 4, 4}).weight("s", {3}).weight("b", {3}).weight("mean", {3}).weight("var", {3});
  m.node("BatchNormalization", {"x", "s", "b", "mean", "var"}, {"n"});
  m.node("Relu", {"n"}, {"r"});
  auto& pool = m.node("MaxPool", {"r"}, {"p"});
  set_ints(pool, "kernel_shape", {2, 2});
  set_ints(pool, "strides", {2, 2});
  m.node("GlobalAveragePool", {"p"}, {"g"});
  m.output("g");
  const FlopsReport r = count(m);
  ASSERT_EQ(r.nodes.size(), 4u);
  EXPECT_EQ(r.nodes[0].flops, 2 * 48);
  EXPECT_EQ(r.nodes[1].flops, 48);
  EXPECT_EQ(r.nodes[2].flops, 12 * 3);  // 12 outputs, 3 comparisons each
  EXPECT_EQ(r.nodes[3].flops, 12);
  EXPECT_EQ(r.macs, 0);
  EXPECT_EQ(r.params, 6);  // running mean and variance are statistics, not parameters
  EXPECT_EQ(r.nodes[0].layer_type, LayerType::kNormalization);
  EXPECT_EQ(r.nodes[1].layer_type, LayerType::kActivation);
  EXPECT_EQ(r.nodes[2].layer_type, LayerType::kPooling);
}

TEST(OpCosts, LayerNormalizationAndElementwise) {
  OnnxBuilder m;
  m.input("x", {2, 5, 8}).weight("g", {8}).weight("b", {8});
  set_int(m.node("LayerNormalization", {"x", "g", "b"}, {"n"}), "axis", -1);
  m.node("Add", {"n", "x"}, {"y"});
  m.output("y");
  const FlopsReport r = count(m);
  EXPECT_EQ(r.nodes.at(0).flops, 80 * 7);
  EXPECT_EQ(r.nodes.at(1).flops, 80);
  EXPECT_EQ(r.nodes.at(1).layer_type, LayerType::kElementwise);
}

TEST(OpCosts, LinearResizeAndZeroCostReshape) {
  OnnxBuilder m;
  m.input("x", {1, 1, 2, 2}).floats("scales", {1, 1, 2, 2}).ints("shape", {1, 16});
  set_string(m.node("Resize", {"x", "", "scales"}, {"y"}), "mode", "linear");
  m.node("Reshape", {"y", "shape"}, {"z"});
  m.output("z");
  const FlopsReport r = count(m);
  EXPECT_EQ(r.nodes.at(0).flops, 16 * 7);  // 4 neighbours: 4 multiplies, 3 adds
  EXPECT_EQ(r.nodes.at(1).kind, NodeCost::Kind::kZeroCost);
  EXPECT_EQ(r.params, 0);  // shape arguments and interpolation scales are not weights
}

TEST(OpCosts, UnknownOperatorsAreListedNotZeroed) {
  OnnxBuilder m;
  m.model().add_opset_import()->set_domain("custom");
  m.input("x", {1, 4});
  m.node("Relu", {"x"}, {"r"});
  m.node("Frobnicate", {"r"}, {"y"}, "custom");
  m.node("Frobnicate", {"y"}, {"z"}, "custom");
  m.output("z");
  const FlopsReport r = count(m);
  EXPECT_FALSE(r.complete());
  EXPECT_EQ(r.unknown_ops.at("custom.Frobnicate"), 2);
}

TEST(OpCosts, ConventionsDifferInWhatTheyCount) {
  OnnxBuilder m;
  m.input("x", {1, 3, 8, 8}).weight("w", {4, 3, 1, 1}).weight("s", {4}).weight("b", {4}).weight("mean", {4}).weight("var", {4});
  m.node("Conv", {"x", "w"}, {"c"});
  m.node("BatchNormalization", {"c", "s", "b", "mean", "var"}, {"n"});
  m.node("Relu", {"n"}, {"y"});
  m.output("y");
  const int64_t conv_macs = 256 * 3;
  const FlopsReport torchvision = count(m, {}, Convention::kTorchvision);
  EXPECT_EQ(torchvision.macs, conv_macs);
  EXPECT_EQ(torchvision.flops, 2 * conv_macs);
  const FlopsReport fvcore = count(m, {}, Convention::kFvcore);
  EXPECT_EQ(fvcore.macs, conv_macs + 2 * 256);  // fvcore counts an affine batch norm at 2 per element
  const FlopsReport wattcast = count(m);
  EXPECT_EQ(wattcast.flops, 2 * conv_macs + 2 * 256 + 256);
}

TEST(OpCosts, InputShapesAndBatch) {
  OnnxBuilder m;
  m.input("x", {-1, 3, 32, 32}).weight("w", {8, 3, 3, 3});
  m.node("Conv", {"x", "w"}, {"y"});
  m.output("y");
  EXPECT_EQ(count(m).macs, 8 * 30 * 30 * 27);  // a symbolic batch counts as 1
  InputShapeOptions options;
  options.batch = 4;
  options.input_size = 10;
  EXPECT_EQ(count(m, options).macs, 4 * 8 * 8 * 8 * 27);
  OnnxBuilder nhwc;
  nhwc.input("x", {1, 32, 32, 3});
  nhwc.node("Relu", {"x"}, {"y"});
  nhwc.output("y");
  InputShapeOptions size16;
  size16.input_size = 16;
  EXPECT_EQ(count(nhwc, size16).input_shapes.at("x"), (std::vector<int64_t>{1, 16, 16, 3}));  // channels last stay last
  InputShapeOptions explicit_shape;
  explicit_shape.shapes["x"] = {2, 3, 5, 5};
  EXPECT_EQ(count(m, explicit_shape).macs, 2 * 8 * 3 * 3 * 27);
}

}  // namespace
}  // namespace wattcast
