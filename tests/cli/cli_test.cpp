#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "cli/cli_runner.h"
#include "core/csv.h"
#include "test_paths.h"

namespace wattcast::testing {
namespace {

const char* kConfigFlags =
    "--gpu 3090 --arch inception_v3 --input-size 128 --batch-size 64 --train-samples 12000 --val-samples 8580 --epochs 50 --ram-gb 16";

TEST(CliTest, VersionAndHelpForEverySubcommand) {
  auto version = run_cli("--version");
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_NE(version.out.find("wattcast "), std::string::npos);
  for (const char* command : {"estimate", "fit", "evaluate", "gpus", "regions"}) {
    auto help = run_cli(std::string(command) + " --help");
    EXPECT_EQ(help.exit_code, 0) << command;
    EXPECT_NE(help.out.find("--"), std::string::npos) << command;
  }
}

TEST(CliTest, EstimateShowsEveryMethodSideBySide) {
  auto result = run_cli(std::string("estimate ") + kConfigFlags + " --region ESP");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  for (const char* method : {"wattcast", "roofline", "pre-paper", "flops", "green-algorithms", "mlco2"}) {
    EXPECT_NE(result.out.find(method), std::string::npos) << method;
  }
  EXPECT_NE(result.out.find("ESP (Spain)"), std::string::npos);
}

TEST(CliTest, EstimateJsonHasIntervalsAndTotals) {
  auto result = run_cli(std::string("estimate ") + kConfigFlags + " --format json --cloud aws:eu-west-1");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const auto json = nlohmann::json::parse(result.out);
  EXPECT_DOUBLE_EQ(json["pue"].get<double>(), 1.2);
  const auto& methods = json["methods"];
  ASSERT_EQ(methods.size(), 6u);
  const auto& wattcast = methods[0];
  EXPECT_EQ(wattcast["method"], "wattcast");
  EXPECT_LT(wattcast["energy_kwh_90"]["lo"].get<double>(), wattcast["energy_kwh"].get<double>());
  EXPECT_GT(wattcast["energy_kwh_90"]["hi"].get<double>(), wattcast["energy_kwh"].get<double>());
  // CO2e = energy x intensity.
  EXPECT_NEAR(wattcast["co2e_g"].get<double>(), wattcast["energy_kwh"].get<double>() * 617, 1e-6);
  // MLCO2 draws TDP for wattcast's duration.
  ASSERT_EQ(methods[5]["method"], "mlco2");
  EXPECT_DOUBLE_EQ(methods[5]["avg_power_w"].get<double>(), 350);
  EXPECT_DOUBLE_EQ(methods[5]["duration_h"].get<double>(), wattcast["duration_h"].get<double>());
}

TEST(CliTest, EstimateFlagsAnH100AsExtrapolation) {
  auto result = run_cli("estimate --gpu 'h100 sxm' --gflops 4.1 --input-size 224 --batch-size 128 --train-samples 50000 "
                        "--val-samples 10000 --epochs 10 --ram-gb 64 --method wattcast,pre-paper");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("warning: wattcast extrapolates: gpu_cuda_cores = 16896"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("warning: pre-paper extrapolates"), std::string::npos);
}

TEST(CliTest, HoursOverrideTheDurationOfMlco2) {
  auto result = run_cli(std::string("estimate ") + kConfigFlags + " --hours 2 --method mlco2 --format json");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const auto json = nlohmann::json::parse(result.out);
  EXPECT_DOUBLE_EQ(json["methods"][0]["duration_h"].get<double>(), 2.0);
  EXPECT_NEAR(json["methods"][0]["energy_kwh"].get<double>(), 0.7, 1e-12);
}

TEST(CliTest, BatchWritesOneRowPerInputRowInOrder) {
  const std::string out = (scratch_dir() / "batch.csv").string();
  auto result = run_cli("estimate --batch " + reference_runs_csv() + " --format csv --out " + out);
  ASSERT_EQ(result.exit_code, 0) << result.err;
  auto table = CsvTable::read_file(out);
  ASSERT_TRUE(table.ok());
  ASSERT_EQ(table->rows().size(), 712u);
  for (const char* column : {"pred_avg_power_w", "pred_epoch_energy_kj", "pred_epoch_time_s", "pred_avg_power_w_lo",
                             "pred_avg_power_w_hi", "pred_epoch_energy_kj_lo", "pred_epoch_energy_kj_hi", "pred_epoch_time_s_lo",
                             "pred_epoch_time_s_hi"}) {
    EXPECT_TRUE(table->column_index(column).has_value()) << column;
  }
  int previous_line = 0;
  for (const auto& row : table->rows()) {
    const int line = static_cast<int>(*row.number("line"));
    EXPECT_GT(line, previous_line);
    previous_line = line;
    EXPECT_LE(*row.number("pred_avg_power_w_lo"), *row.number("pred_avg_power_w"));
    EXPECT_GE(*row.number("pred_avg_power_w_hi"), *row.number("pred_avg_power_w"));
    EXPECT_NEAR(*row.number("pred_epoch_energy_kj") * 1000, *row.number("pred_avg_power_w") * *row.number("pred_epoch_time_s"),
                1e-6 * *row.number("pred_epoch_energy_kj") * 1000);
  }
}

TEST(CliTest, BatchIgnoresMeasuredColumnsWhenAbsent) {
  const std::string input = write_scratch("configs.csv",
                                          "gpu_cuda_cores,gpu_memory_gb,gpu_tdp_w,total_ram_gb,gflops,train_samples,val_samples,batch_size,input_size\n"
                                          "10496,24,350,16,2.53,23807,10203,32,128\n"
                                          "5888,8,220,32,0.2,23807,10203,64,128\n");
  auto result = run_cli("estimate --batch " + input);
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(count_lines(result.out), 3);
}

TEST(CliTest, FitThenEstimateWithTheFittedModel) {
  const std::string model = (scratch_dir() / "model.json").string();
  auto fit = run_cli("fit --data " + reference_runs_csv() + " --method pre-paper --out " + model);
  ASSERT_EQ(fit.exit_code, 0) << fit.err;
  auto estimate = run_cli(std::string("estimate ") + kConfigFlags + " --model " + model + " --method pre-paper --format json");
  ASSERT_EQ(estimate.exit_code, 0) << estimate.err;
  auto shipped = run_cli(std::string("estimate ") + kConfigFlags + " --method pre-paper --format json");
  EXPECT_DOUBLE_EQ(nlohmann::json::parse(estimate.out)["methods"][0]["energy_kwh"].get<double>(),
                   nlohmann::json::parse(shipped.out)["methods"][0]["energy_kwh"].get<double>());
}

// /dev/stdout is a symlink to the test's captured stdout: followed and written into, never replaced.
TEST(CliTest, OutThroughASymlinkOrDashWritesWhereItPoints) {
  auto estimate = run_cli(std::string("estimate ") + kConfigFlags + " --method pre-paper --format json --out /dev/stdout");
  ASSERT_EQ(estimate.exit_code, 0) << estimate.err;
  EXPECT_TRUE(nlohmann::json::parse(estimate.out).contains("methods")) << estimate.out;
  auto fit = run_cli("fit --data " + reference_runs_csv() + " --method pre-paper --out -");
  ASSERT_EQ(fit.exit_code, 0) << fit.err;
  EXPECT_TRUE(nlohmann::json::parse(fit.out).is_object());
  EXPECT_FALSE(std::filesystem::exists("-"));
}

// The scratch folder goes away with its owner, however the tests went.
TEST(CliTest, ScratchFolderIsRemovedByItsOwner) {
  std::filesystem::path made;
  {
    const ScratchDir dir;
    made = dir.path();
    std::ofstream(made / "left.txt") << "x";
  }
  EXPECT_FALSE(std::filesystem::exists(made));
}

TEST(CliTest, EvaluateByRowsReportsEveryMethod) {
  auto result = run_cli("evaluate --cv rows --method pre-paper,mlco2 --format json");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const auto json = nlohmann::json::parse(result.out);
  ASSERT_EQ(json["methods"].size(), 2u);
  // The study reports RMSE 7.50 W for its power model under row-wise cross-validation.
  EXPECT_LT(json["methods"][0]["avg_power_w"]["rmse"].get<double>(), 10.0);
  EXPECT_GT(json["methods"][1]["avg_power_w"]["mape_pct"].get<double>(), 20.0);
}

TEST(CliTest, GpusAndRegionsFind) {
  auto gpus = run_cli("gpus 'h100 sxm' --format csv");
  ASSERT_EQ(gpus.exit_code, 0);
  EXPECT_NE(gpus.out.find("NVIDIA H100 SXM5 80 GB"), std::string::npos);
  EXPECT_EQ(gpus.out.find("PCIe"), std::string::npos);
  auto regions = run_cli("regions ireland");
  ASSERT_EQ(regions.exit_code, 0);
  EXPECT_NE(regions.out.find("--region IRL"), std::string::npos);
  EXPECT_NE(regions.out.find("--cloud aws:eu-west-1"), std::string::npos);
}

}  // namespace
}  // namespace wattcast::testing
