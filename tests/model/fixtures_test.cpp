// The committed torchvision exports must count as torchvision publishes: "GFLOPS" in its model
// table are convolution and linear MACs, and parameters are model.parameters().

#include <filesystem>

#include <gtest/gtest.h>

#include "model/flops_counter.h"
#include "model/onnx_loader.h"
#include "model/training_flops.h"

namespace wattcast {
namespace {

FlopsReport count_fixture(const std::string& name, Convention convention = Convention::kTorchvision, InputShapeOptions options = {}) {
  const auto path = std::filesystem::path(WATTCAST_SOURCE_DIR) / "tests" / "fixtures" / "onnx" / (name + ".onnx");
  auto graph = load_onnx_file(path.string(), options);
  EXPECT_TRUE(graph.ok()) << graph.error().message;
  if (!graph) return {};
  auto report = count_flops(*graph, convention);
  EXPECT_TRUE(report.ok()) << report.error().message;
  if (!report) return {};
  EXPECT_TRUE(report->complete()) << name << ": " << report->unresolved_nodes.size() << " unresolved nodes";
  return *report;
}

TEST(TorchvisionFixtures, Resnet50) {
  const FlopsReport r = count_fixture("resnet50");
  EXPECT_EQ(r.macs, 4'089'184'256);
  EXPECT_EQ(r.params, 25'557'032);
}

TEST(TorchvisionFixtures, Vgg16) {
  const FlopsReport r = count_fixture("vgg16");
  EXPECT_EQ(r.macs, 15'470'264'320);
  EXPECT_EQ(r.params, 138'357'544);
}

TEST(TorchvisionFixtures, MobilenetV2) {
  const FlopsReport r = count_fixture("mobilenet_v2");
  EXPECT_EQ(r.macs, 300'774'272);
  EXPECT_EQ(r.params, 3'504'872);
}

TEST(TorchvisionFixtures, InceptionV3At299) {
  // The published 27,161,264 parameters include the auxiliary classifier, which an eval-mode
  // export leaves out; the MACs are for the main path.
  const FlopsReport r = count_fixture("inception_v3");
  EXPECT_NEAR(static_cast<double>(r.macs) / 1e9, 5.71, 0.005);
}

// The reference data's workloads written out in scripts/workload_models.py count as their
// sources publish, in wattcast's convention (2 FLOPs a MAC, element-wise operations included).
TEST(WorkloadFixtures, XceptionAndNasnetMobileAt128MatchTheStudysTensorflowProfile) {
  InputShapeOptions at_128;
  at_128.input_size = 128;
  const FlopsReport xception = count_fixture("xception", Convention::kWattcast, at_128);
  EXPECT_NEAR(static_cast<double>(xception.flops) / 1e9, 2.965, 0.01);  // data/pre_runs.csv
  EXPECT_NEAR(static_cast<double>(xception.params) / 1e6, 22.86, 0.01);  // Keras: 22,910,480 with its 1000-class head
  const FlopsReport nasnet = count_fixture("nasnet_mobile", Convention::kWattcast, at_128);
  EXPECT_NEAR(static_cast<double>(nasnet.flops) / 1e9, 0.3724, 0.002);
  EXPECT_NEAR(static_cast<double>(nasnet.params) / 1e6, 5.33, 0.05);  // Keras: 5,326,716
}

TEST(WorkloadFixtures, ZeusWorkloadsMatchTheirPublishedMultiplyAdds) {
  const FlopsReport shufflenet = count_fixture("shufflenet_v2_cifar100", Convention::kWattcast);
  EXPECT_NEAR(static_cast<double>(shufflenet.macs) / 1e6, 43.7, 1.5);  // data/zeus/README.md
  const FlopsReport bert = count_fixture("bert_base_qa", Convention::kWattcast);
  EXPECT_NEAR(static_cast<double>(bert.macs) / 1e9, 35.3, 0.05);  // sequence length 384
  EXPECT_GT(bert.activation_bytes, 20 * shufflenet.activation_bytes);
}

// The two smaller H200 runs of data/h200_runs.csv, exported at the input they trained on.
TEST(WorkloadFixtures, TheH200RunsModelsCountAsTheirSourcesSay) {
  const FlopsReport resnet18 = count_fixture("resnet18_4class");
  EXPECT_EQ(resnet18.macs, 148'047'872);  // forward hooks on torchvision's resnet18(num_classes=4) at 64 px
  EXPECT_EQ(resnet18.params, 11'178'564);  // model.parameters(); Lightning printed "11.2 M"
  InputShapeOptions at_224;
  at_224.input_size = 224;
  // torchvision publishes 1,814,073,344 MACs for 1000 classes; 996 fewer classes drop 512 MACs each.
  EXPECT_EQ(count_fixture("resnet18_4class", Convention::kTorchvision, at_224).macs, 1'814'073'344 - 512 * 996);

  const FlopsReport bert = count_fixture("bert_tiny_classifier", Convention::kWattcast);
  // BertForSequenceClassification from BertConfig(vocab_size=1000, hidden_size=256,
  // num_hidden_layers=4, intermediate_size=1024, num_labels=2), closed form in
  // scripts/workload_models.py (the same formula gives bert-base's published 109,483,778).
  EXPECT_EQ(bert.params, 3'613'442);
  const int64_t s = 128, h = 256, ff = 1024;  // per layer: 4 projections, QK^T and AV, feed-forward
  EXPECT_EQ(bert.macs, 4 * (4 * s * h * h + 2 * s * s * h + 2 * s * h * ff) + h * h + h * 2);  // + pooler, classifier
}

TEST(TorchvisionFixtures, VitB16CountsAttention) {
  const FlopsReport r = count_fixture("vit_b_16");
  EXPECT_NEAR(static_cast<double>(r.macs) / 1e9, 17.56, 0.005);
  EXPECT_EQ(r.params, 86'567'656);
  int64_t attention_macs = 0;
  for (const auto& n : r.nodes) attention_macs += n.layer_type == LayerType::kAttention ? n.macs : 0;
  EXPECT_EQ(attention_macs, int64_t{12} * 2 * 12 * 197 * 197 * 64);  // layers x (QK^T, AV) x heads
}

TEST(TorchvisionFixtures, EfficientnetB0AndDensenet121) {
  const FlopsReport efficientnet = count_fixture("efficientnet_b0");
  EXPECT_NEAR(static_cast<double>(efficientnet.macs) / 1e9, 0.39, 0.005);
  EXPECT_EQ(efficientnet.params, 5'288'548);
  const FlopsReport densenet = count_fixture("densenet121");
  EXPECT_NEAR(static_cast<double>(densenet.macs) / 1e9, 2.83, 0.005);
  EXPECT_EQ(densenet.params, 7'978'856);
}

TEST(TorchvisionFixtures, BatchAndInputSizeScaleTheCount) {
  InputShapeOptions batch8;
  batch8.batch = 8;
  EXPECT_EQ(count_fixture("resnet50", Convention::kTorchvision, batch8).macs, 8 * int64_t{4'089'184'256});
  InputShapeOptions small;
  small.input_size = 128;
  const FlopsReport r = count_fixture("resnet50", Convention::kTorchvision, small);
  EXPECT_LT(r.macs, 4'089'184'256 / 3);
  EXPECT_EQ(r.params, 25'557'032);
}

TEST(TorchvisionFixtures, WattcastConventionAddsTheOtherOperators) {
  const FlopsReport torchvision = count_fixture("resnet50");
  const FlopsReport wattcast = count_fixture("resnet50", Convention::kWattcast);
  EXPECT_EQ(wattcast.macs, torchvision.macs);
  EXPECT_GT(wattcast.flops, torchvision.flops);  // batch norm, ReLU, pooling, residual adds
  EXPECT_LT(wattcast.flops, torchvision.flops * 102 / 100);
}

}  // namespace
}  // namespace wattcast
