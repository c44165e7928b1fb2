// Bad input: one line on stderr naming file, line and field; exit code 2; no output file.

#include <gtest/gtest.h>

#include <filesystem>

#include "cli/cli_runner.h"
#include "test_paths.h"

namespace wattcast::testing {
namespace {

namespace fs = std::filesystem;

const std::string kHeader =
    "environment,dataset,architecture,gpu,batch_size,total_ram_gb,train_samples,val_samples,gflops,input_size,gpu_cuda_cores,"
    "gpu_memory_gb,gpu_tdp_w,avg_gpu_power_w,avg_epoch_energy_kj,avg_stable_epoch_energy_kj\n";
const std::string kGoodRow = "Cloud,chesslive,vgg16,RTX 3090,32,16,23807,10203,10.0515,128,10496,24,350,334.5,13.4,14.3\n";

void expect_bad_input(const CliResult& result, const std::string& expected_fragment) {
  EXPECT_EQ(result.exit_code, 2) << result.err;
  EXPECT_EQ(count_lines(result.err), 1) << result.err;
  EXPECT_NE(result.err.find(expected_fragment), std::string::npos) << result.err;
}

struct BadCsvCase {
  const char* name;
  std::string content;
  std::string expected;
  friend void PrintTo(const BadCsvCase& c, std::ostream* os) { *os << c.name; }
};

class BadBatchCsvTest : public ::testing::TestWithParam<BadCsvCase> {};

TEST_P(BadBatchCsvTest, FailsCleanlyWithoutOutput) {
  const auto& c = GetParam();
  const std::string input = write_scratch(std::string(c.name) + ".csv", c.content);
  const std::string out = (scratch_dir() / (std::string(c.name) + ".out.csv")).string();
  fs::remove(out);
  auto result = run_cli("estimate --batch " + input + " --format csv --out " + out);
  expect_bad_input(result, c.expected);
  EXPECT_FALSE(fs::exists(out));
  for (const auto& entry : fs::directory_iterator(scratch_dir())) {
    EXPECT_EQ(entry.path().filename().string().find(".tmp."), std::string::npos) << entry.path();
  }
}

INSTANTIATE_TEST_SUITE_P(
    Cases, BadBatchCsvTest,
    ::testing::Values(
        BadCsvCase{"negative", kHeader + kGoodRow + "Cloud,chesslive,vgg16,RTX 3090,-32,16,23807,10203,10.0515,128,10496,24,350,1,1,1\n",
                   "negative.csv:3: field 'batch_size': must be positive, got '-32'"},
        BadCsvCase{"nan", kHeader + "Cloud,chesslive,vgg16,RTX 3090,32,16,23807,10203,nan,128,10496,24,350,1,1,1\n",
                   "nan.csv:2: field 'gflops': expected a finite number, got 'nan'"},
        BadCsvCase{"missing", kHeader + "Cloud,chesslive,vgg16,RTX 3090,32,16,,10203,1,128,10496,24,350,1,1,1\n",
                   "missing.csv:2: field 'train_samples': value is missing"},
        BadCsvCase{"fraction", kHeader + kGoodRow + "Cloud,chesslive,vgg16,RTX 3090,32.5,16,23807,10203,10.0515,128,10496,24,350,1,1,1\n",
                   "fraction.csv:3: field 'batch_size': expected a whole number, got '32.5'"},
        BadCsvCase{"ragged", kHeader + kGoodRow + "Cloud,chesslive\n", "ragged.csv:3: expected 16 cells"},
        BadCsvCase{"nocolumn", "gpu_cuda_cores,gflops\n1,2\n", "nocolumn.csv:1: field 'gpu_memory_gb': required column is missing"},
        BadCsvCase{"quote", kHeader + "Cloud,\"chesslive,vgg16\n", "quote.csv:2: unterminated quoted cell"},
        BadCsvCase{"empty", "", "empty.csv: empty CSV file"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(BadInputTest, FitOnMalformedDataWritesNoModel) {
  const std::string input = write_scratch("fit_bad.csv", kHeader + kGoodRow + "Cloud,chesslive,vgg16,RTX 3090,32,16,23807,10203,10,128,10496,24,350,0,1,1\n");
  const std::string out = (scratch_dir() / "fit_bad_model.json").string();
  auto result = run_cli("fit --data " + input + " --out " + out);
  expect_bad_input(result, "fit_bad.csv:3: field 'avg_gpu_power_w': must be positive");
  EXPECT_FALSE(fs::exists(out));
}

TEST(BadInputTest, MalformedConfigFiles) {
  const std::string toml = write_scratch("bad.toml", "gpu = \"3090\"\nbatch_size = [1,\n");
  expect_bad_input(run_cli("estimate --config " + toml), "bad.toml:");
  const std::string json = write_scratch("bad.json", "{\n\"gpu\": \"3090\",\n\"epochs\": -1,\n\"gflops\": 2, \"batch_size\": 8,"
                                                      "\"input_size\": 64, \"train_samples\": 10, \"val_samples\": 1, \"ram_gb\": 8}\n");
  expect_bad_input(run_cli("estimate --config " + json), "bad.json:3: field 'epochs': must be positive, got '-1'");
  expect_bad_input(run_cli("estimate --config /nonexistent/x.toml"), "/nonexistent/x.toml: no such file");
}

TEST(BadInputTest, UnknownGpuRegionFlagAndFormat) {
  const std::string base = "estimate --gflops 2 --batch-size 8 --input-size 64 --train-samples 10 --val-samples 1 --epochs 2 --ram-gb 8";
  expect_bad_input(run_cli(base + " --gpu 'rtx 3099'"), "--gpu: unknown GPU 'rtx 3099'; closest matches:");
  expect_bad_input(run_cli(base + " --gpu 3090 --region Atlantis"), "--region: unknown region 'Atlantis'");
  expect_bad_input(run_cli(base + " --gpu 3090 --cloud aws:mars-1"), "--cloud: unknown cloud region 'aws:mars-1'");
  expect_bad_input(run_cli(base + " --gpu 3090 --batchsize 3"), "batchsize");
  expect_bad_input(run_cli(base + " --gpu 3090 --format yaml"), "--format: unknown format 'yaml'");
  expect_bad_input(run_cli("estimate --gflops 2 --batch-size 8 --input-size 64 --train-samples 10 --val-samples 1 --ram-gb 8 --gpu 3090 --epochs nan"),
                   "--epochs: expected a finite number, got 'nan'");
  expect_bad_input(run_cli(base + " --gpu 3090 --pue 0.5"), "--pue: must be at least 1.0");
  expect_bad_input(run_cli("frobnicate"), "unknown command 'frobnicate'");
}

TEST(BadInputTest, UnwritableOutput) {
  expect_bad_input(run_cli("estimate --batch " + reference_runs_csv() + " --out /nonexistent-dir/out.csv"), "/nonexistent-dir/out.csv");
}

TEST(BadInputTest, BadModelFile) {
  const std::string model = write_scratch("model_bad.json", "{\"method\": \"wattcast\", \n\"log_power_w\": 3");
  expect_bad_input(run_cli("estimate --batch " + reference_runs_csv() + " --model " + model), "model_bad.json:2: malformed JSON");
}

}  // namespace
}  // namespace wattcast::testing
