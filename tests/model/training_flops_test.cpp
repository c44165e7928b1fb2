#include <gtest/gtest.h>

#include "model/flops_counter.h"
#include "model/onnx_builder.h"
#include "model/onnx_loader.h"
#include "model/training_flops.h"

namespace wattcast {
namespace {

using testing::OnnxBuilder;

// x -> fc1 -> ReLU -> fc2: forward F1 = 2*4*16*32, R = 4*32, F2 = 2*4*32*10.
struct Mlp {
  ModelGraph graph;
  FlopsReport report;
  static constexpr int64_t kF1 = 2 * 4 * 16 * 32, kR = 4 * 32, kF2 = 2 * 4 * 32 * 10;

  Mlp() {
    OnnxBuilder m;
    m.input("x", {4, 16}).weight("fc1.weight", {16, 32}).weight("fc2.weight", {32, 10});
    m.node("MatMul", {"x", "fc1.weight"}, {"h"});
    m.node("Relu", {"h"}, {"r"});
    m.node("MatMul", {"r", "fc2.weight"}, {"y"});
    m.output("y");
    graph = load_onnx_bytes(m.bytes(), "mlp.onnx", {}).value();
    report = count_flops(graph, Convention::kWattcast).value();
  }
};

TEST(TrainingFlops, NothingFrozenIsAboutThreeTimesForward) {
  Mlp mlp;
  auto t = training_flops(mlp.graph, mlp.report, {}, 4);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->forward_flops, Mlp::kF1 + Mlp::kR + Mlp::kF2);
  // fc1 needs only its weight gradient (nothing flows back into the input); ReLU its input
  // gradient; fc2 both.
  EXPECT_EQ(t->backward_flops, Mlp::kF1 + Mlp::kR + 2 * Mlp::kF2);
  EXPECT_DOUBLE_EQ(t->forward_per_sample(), static_cast<double>(t->forward_flops) / 4);
  EXPECT_DOUBLE_EQ(t->per_epoch(100, 50), 100 * t->training_per_sample() + 50 * t->forward_per_sample());
}

TEST(TrainingFlops, FrozenLayersSkipWeightGradientsAndEarlyBackward) {
  Mlp mlp;
  auto t = training_flops(mlp.graph, mlp.report, {"fc1."}, 4);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->backward_flops, Mlp::kF2);  // only fc2's weight gradient
  EXPECT_EQ(t->frozen_params, 16 * 32);
  EXPECT_EQ(t->trainable_params, 32 * 10);
}

TEST(TrainingFlops, FrozenPrefixMustMatchAParameter) {
  Mlp mlp;
  auto t = training_flops(mlp.graph, mlp.report, {"encoder."}, 1);
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.error().message.find("encoder."), std::string::npos);
}

}  // namespace
}  // namespace wattcast
