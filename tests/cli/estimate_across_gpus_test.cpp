// `estimate` and `evaluate` beyond the study's three GPUs (issue 14): the GPU-generic method,
// power caps and precision, batch rows that name a catalog GPU, leave-one-GPU-out evaluation,
// and the study's model refusing to speak off its data.

#include <gtest/gtest.h>

#include <filesystem>

#include <nlohmann/json.hpp>

#include "cli/cli_runner.h"
#include "core/csv.h"
#include "test_paths.h"

namespace wattcast::testing {
namespace {

const char* kH200Flags =
    "estimate --gpu 'h200 sxm' --gflops 2.686 --input-size 128 --batch-size 32 --train-samples 8192 --val-samples 2048 "
    "--epochs 16 --ram-gb 126 --format json";

const nlohmann::json& method(const nlohmann::json& out, const std::string& name) {
  for (const auto& m : out["methods"]) {
    if (m["method"] == name) return m;
  }
  throw std::runtime_error("no method " + name);
}

TEST(EstimateAcrossGpusTest, PrePaperIsUnusableOffItsGpusAndRooflineStaysUnderTheLimit) {
  auto result = run_cli(kH200Flags);
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const auto json = nlohmann::json::parse(result.out);
  const auto& pre = method(json, "pre-paper");
  EXPECT_TRUE(pre.contains("unusable"));
  EXPECT_FALSE(pre.contains("avg_power_w"));
  const auto& roofline = method(json, "roofline");
  EXPECT_LE(roofline["avg_power_w"].get<double>(), 700);
  EXPECT_LE(roofline["avg_power_w_90"]["hi"].get<double>(), 700);
  EXPECT_GE(roofline["avg_power_w_90"]["lo"].get<double>(), 82);  // the H200's measured idle

  auto table = run_cli(std::string(kH200Flags).replace(std::string(kH200Flags).find("--format json"), 13, ""));
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_NE(table.out.find("warning: pre-paper is unusable here (outside its data"), std::string::npos) << table.out;
}

TEST(EstimateAcrossGpusTest, APowerLimitLowersPowerAndItsAboveTheBoardIsBadInput) {
  const std::string base = "estimate --gpu 'a40 pcie' --gflops 8.18 --input-size 224 --batch-size 128 --train-samples 1281167 "
                           "--val-samples 50000 --epochs 1 --ram-gb 64 --method roofline --format json";
  auto free = run_cli(base);
  auto capped = run_cli(base + " --power-limit 150");
  ASSERT_EQ(free.exit_code, 0) << free.err;
  ASSERT_EQ(capped.exit_code, 0) << capped.err;
  const auto f = nlohmann::json::parse(free.out)["methods"][0];
  const auto c = nlohmann::json::parse(capped.out)["methods"][0];
  EXPECT_LE(c["avg_power_w"].get<double>(), 150);
  EXPECT_LT(c["avg_power_w"].get<double>(), f["avg_power_w"].get<double>());
  EXPECT_GT(c["epoch_time_s"].get<double>(), f["epoch_time_s"].get<double>());

  auto above = run_cli(base + " --power-limit 400");
  EXPECT_EQ(above.exit_code, 2);
  EXPECT_NE(above.err.find("--power-limit: 400 W is above"), std::string::npos) << above.err;
  auto bad_precision = run_cli(base + " --precision fp8");
  EXPECT_EQ(bad_precision.exit_code, 2);
  EXPECT_NE(bad_precision.err.find("--precision: expected fp32, tf32, fp16 or bf16"), std::string::npos) << bad_precision.err;
}

TEST(EstimateAcrossGpusTest, BatchRowsMayNameACatalogGpuWithALimitAndPrecision) {
  const std::string input = write_scratch("by_name.csv",
                                          "gpu,gflops,train_samples,val_samples,batch_size,power_limit_w,precision\n"
                                          "A40 PCIe,8.18,1281167,50000,256,,\n"
                                          "A40 PCIe,8.18,1281167,50000,256,150,\n"
                                          "A100 SXM4 80,8.18,1281167,50000,256,,bf16\n");
  auto result = run_cli("estimate --batch " + input + " --method roofline");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  auto table = CsvTable::parse(result.out, "out");
  ASSERT_TRUE(table.ok());
  ASSERT_EQ(table->rows().size(), 3u);
  EXPECT_LE(*table->rows()[1].number("pred_avg_power_w"), 150);
  EXPECT_GT(*table->rows()[1].number("pred_epoch_time_s"), *table->rows()[0].number("pred_epoch_time_s"));

  const std::string unknown = write_scratch("unknown_gpu.csv", "gpu,gflops,train_samples,val_samples,batch_size\nVoodoo 5,1,10,10,1\n");
  auto bad = run_cli("estimate --batch " + unknown + " --method roofline");
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("unknown_gpu.csv:2"), std::string::npos) << bad.err;
  EXPECT_NE(bad.err.find("gpu"), std::string::npos) << bad.err;
}

TEST(EstimateAcrossGpusTest, EvaluateHoldsOutWholeGpusAndDataSets) {
  auto gpu = run_cli("evaluate --data all --cv gpu --method roofline,flops --format json");
  ASSERT_EQ(gpu.exit_code, 0) << gpu.err;
  const auto json = nlohmann::json::parse(gpu.out);
  EXPECT_EQ(json["split"], "leave one GPU out");
  EXPECT_EQ(json["runs"], 785);
  ASSERT_EQ(json["methods"].size(), 2u);
  EXPECT_FALSE(json["methods"][0]["epoch_energy_kj"]["coverage_90_pct"].is_null());
  auto source = run_cli("evaluate --data all --cv source --method roofline --format json");
  ASSERT_EQ(source.exit_code, 0) << source.err;
  EXPECT_EQ(nlohmann::json::parse(source.out)["split"], "leave one data set out");
  auto bad = run_cli("evaluate --cv sideways");
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("--cv: expected 'rows', 'config', 'gpu' or 'source'"), std::string::npos) << bad.err;
}

}  // namespace
}  // namespace wattcast::testing

namespace wattcast::testing {
namespace {

TEST(EstimateFromOwnRunsTest, TaggedRunsOnTheSameGpuMoveTheEstimateAndUntaggedOnesAreCounted) {
  const std::string db = (scratch_dir() / "own_runs.db").string();
  std::filesystem::remove(db);
  const std::string fixtures = source_dir() + "/tests/fixtures/h200/";
  auto tagged = run_cli("store import " + fixtures + "resnet50_samples.csv --epochs " + fixtures + "resnet50_epochs.csv --store " + db +
                        " --tag gflops=2.686 --tag batch_size=32 --tag train_samples=8192 --tag val_samples=2048 --tag input_size=128");
  ASSERT_EQ(tagged.exit_code, 0) << tagged.err;
  auto untagged = run_cli("store import " + fixtures + "hf_samples.csv --epochs " + fixtures + "hf_epochs.csv --store " + db);
  ASSERT_EQ(untagged.exit_code, 0) << untagged.err;

  const std::string request = "estimate --gpu 'h200 sxm' --gflops 2.686 --input-size 128 --batch-size 32 --train-samples 8192 "
                              "--val-samples 2048 --epochs 1 --ram-gb 126 --method roofline";
  auto plain = run_cli(request + " --format json");
  auto own = run_cli(request + " --format json --store " + db);
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  ASSERT_EQ(own.exit_code, 0) << own.err;
  const double before = nlohmann::json::parse(plain.out)["methods"][0]["energy_kwh"].get<double>();
  const double after = nlohmann::json::parse(own.out)["methods"][0]["energy_kwh"].get<double>();
  EXPECT_NE(before, after);
  EXPECT_LE(nlohmann::json::parse(own.out)["methods"][0]["avg_power_w"].get<double>(), 700);
  EXPECT_NE(own.err.find("store: roofline used 1 of the store's runs on NVIDIA H200 SXM 141 GB"), std::string::npos) << own.err;
  EXPECT_NE(own.err.find("store: 1 finished runs skipped"), std::string::npos) << own.err;

  auto table = run_cli(request + " --store " + db);
  EXPECT_NE(table.out.find("store: roofline used 1"), std::string::npos) << table.out;
  auto batch = run_cli("estimate --batch " + reference_runs_csv() + " --store " + db);
  EXPECT_EQ(batch.exit_code, 2);
  auto fit = run_cli("fit --method roofline --store " + db + " --out " + (scratch_dir() / "with_own.json").string());
  ASSERT_EQ(fit.exit_code, 0) << fit.err;
  EXPECT_NE(fit.err.find("store: 1 runs added, 1 skipped"), std::string::npos) << fit.err;
  auto wrong = run_cli("fit --method wattcast --store " + db + " --out " + (scratch_dir() / "no.json").string());
  EXPECT_EQ(wrong.exit_code, 2);
}

}  // namespace
}  // namespace wattcast::testing
