// `wattcast flops` and `wattcast estimate --model X.onnx` as a user runs them.

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli/cli_runner.h"

namespace wattcast {
namespace {

using testing::count_lines;
using testing::run_cli;
using testing::write_scratch;

const std::string kFixtures = std::string(WATTCAST_SOURCE_DIR) + "/tests/fixtures/onnx/";

TEST(FlopsCli, JsonHasTheCountsAndTheConvention) {
  const auto r = run_cli("flops " + kFixtures + "mobilenet_v2.onnx --format json --convention torchvision --by layer-type");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto json = nlohmann::json::parse(r.out);
  EXPECT_EQ(json["macs"], 300'774'272);
  EXPECT_EQ(json["params"], 3'504'872);
  EXPECT_EQ(json["flops"], 2 * 300'774'272LL);
  EXPECT_EQ(json["convention"], "torchvision");
  EXPECT_TRUE(json["complete"].get<bool>());
  EXPECT_EQ(json["breakdown"][0]["key"], "convolution");
}

TEST(FlopsCli, TrainingPerEpoch) {
  const auto r = run_cli("flops " + kFixtures + "vgg16.onnx --format json --train-samples 1000 --val-samples 500 --frozen features.");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto t = nlohmann::json::parse(r.out)["training"];
  EXPECT_GT(t["frozen_params"].get<int64_t>(), 14'000'000);
  EXPECT_DOUBLE_EQ(t["flops_per_epoch"].get<double>(),
                   1000 * t["flops_per_sample"].get<double>() + 500 * t["forward_flops_per_sample"].get<double>());
  // Frozen convolutions need no backward pass at all: training costs little more than forward.
  EXPECT_LT(t["flops_per_sample"].get<double>(), 1.1 * t["forward_flops_per_sample"].get<double>());
}

TEST(FlopsCli, TableByNode) {
  const auto r = run_cli("flops " + kFixtures + "resnet50.onnx --by node --batch 2");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("batch 2"), std::string::npos);
  EXPECT_NE(r.out.find("/conv1/Conv"), std::string::npos);
}

TEST(FlopsCli, BadInputIsOneLineAndExitCode2) {
  const std::string garbage = write_scratch("garbage.onnx", "this is not a model");
  for (const std::string& args : std::vector<std::string>{"flops " + garbage, "flops /nonexistent.onnx", "flops " + kFixtures + "vgg16.onnx --by colour",
                                  "flops " + kFixtures + "vgg16.onnx --input input=1x3xfoo", "flops " + kFixtures + "vgg16.onnx --convention thop"}) {
    const auto r = run_cli(args);
    EXPECT_EQ(r.exit_code, 2) << args;
    EXPECT_EQ(count_lines(r.err), 1) << r.err;
    EXPECT_TRUE(r.out.empty()) << args;
  }
}

TEST(FlopsCli, EstimateTakesGflopsFromTheOnnxModel) {
  const auto r = run_cli("estimate --gpu 3090 --model " + kFixtures + "resnet50.onnx --input-size 128 --batch-size 32 "
                         "--train-samples 1000 --val-samples 500 --epochs 2 --ram-gb 16 --format json --method flops");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto json = nlohmann::json::parse(r.out);
  EXPECT_NEAR(json["gflops"].get<double>(), 2.68, 0.02);  // resnet50 at 128 px: 8.18 G x (128/224)^2 plus
  EXPECT_NE(json["gflops_source"].get<std::string>().find("convention wattcast"), std::string::npos);
  // The roofline method also takes the activations and parameters from the count: the same as
  // giving the three figures by hand, and no note that they were assumed.
  const std::string rest = " --input-size 128 --batch-size 32 --train-samples 1000 --val-samples 500 --epochs 2 --ram-gb 16 --method roofline";
  const auto counted = run_cli("estimate --gpu 3090 --model " + kFixtures + "resnet50.onnx --format json" + rest);
  const auto by_hand = run_cli("estimate --gpu 3090 --gflops 2.686002152 --activation-mb 49.07408 --params-m 25.557032 --format json" + rest);
  ASSERT_EQ(counted.exit_code, 0) << counted.err;
  ASSERT_EQ(by_hand.exit_code, 0) << by_hand.err;
  const auto energy = [](const std::string& out) { return nlohmann::json::parse(out)["methods"][0]["energy_kwh"].get<double>(); };
  EXPECT_NEAR(energy(counted.out), energy(by_hand.out), 1e-6 * energy(by_hand.out));
  EXPECT_NEAR(nlohmann::json::parse(counted.out)["activation_mb"].get<double>(), 49.07408, 1e-6);
  const auto table = run_cli("estimate --gpu 3090 --model " + kFixtures + "resnet50.onnx" + rest);
  EXPECT_EQ(table.out.find("activations assumed"), std::string::npos) << table.out;
  EXPECT_EQ(table.out.find("parameters assumed"), std::string::npos) << table.out;
  const auto gflops_only = run_cli("estimate --gpu 3090 --gflops 2.686" + rest);
  EXPECT_NE(gflops_only.out.find("activations assumed"), std::string::npos) << gflops_only.out;
  const auto missing_size = run_cli("estimate --gpu 3090 --model " + kFixtures + "resnet50.onnx --batch-size 32 "
                                    "--train-samples 1000 --val-samples 500 --epochs 2 --ram-gb 16");
  EXPECT_EQ(missing_size.exit_code, 2);
  EXPECT_NE(missing_size.err.find("--input-size"), std::string::npos);
}

}  // namespace
}  // namespace wattcast
