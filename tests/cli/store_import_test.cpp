// `wattcast store import`: what `export` writes goes back into a store as a new run, exactly.

#include <gtest/gtest.h>

#include <filesystem>

#include "cli/cli_runner.h"
#include "test_paths.h"

namespace wattcast::testing {
namespace {

namespace fs = std::filesystem;

std::string fresh(const std::string& name) {
  const auto path = scratch_dir() / name;
  fs::remove(path);
  return path.string();
}

std::string h200(const std::string& file) { return source_dir() + "/tests/fixtures/h200/" + file; }

TEST(StoreImportTest, ExportImportExportGivesTheSameFiles) {
  const std::string store = fresh("roundtrip.db");
  const std::string trace = write_scratch("roundtrip_trace.csv", "t_s,device,power_w\n0,gpu0,100\n0.2,gpu0,200\n0.4,gpu0,150\n");
  auto measured = run_cli("measure --replay " + trace + " --out " + store + " --epoch-regex keras -- sh -c 'echo Epoch 1/2; sleep 0.2; "
                          "echo \"10/10 [====] - 1s 10ms/step - loss: 0.50 - val_accuracy: 0.80\"; echo Epoch 2/2; sleep 0.2; "
                          "echo \"10/10 [====] - 1s 10ms/step - loss: 0.40 - val_accuracy: 0.85\"'");
  ASSERT_EQ(measured.exit_code, 0) << measured.err;
  const std::string samples = write_scratch("rt_samples.csv", run_cli("export 1 --store " + store).out);
  const std::string epochs = write_scratch("rt_epochs.csv", run_cli("export 1 --what epochs --store " + store).out);

  auto imported = run_cli("store import " + samples + " --epochs " + epochs + " --store " + store + " --tag source=roundtrip");
  ASSERT_EQ(imported.exit_code, 0) << imported.err;
  EXPECT_EQ(imported.out, "2\n") << "the new run's id, alone on stdout";

  EXPECT_EQ(run_cli("export 2 --store " + store).out, read_text(samples));
  EXPECT_EQ(run_cli("export 2 --what epochs --store " + store).out, read_text(epochs));
  EXPECT_NE(run_cli("show 2 --format json --store " + store).out.find("\"source\": \"roundtrip\""), std::string::npos);
}

// The shared H200 traces were exported by an older wattcast (fixed digits, so a new export
// writes the same values in fewer characters): they import with every sample and epoch.
TEST(StoreImportTest, RealH200RunImportsWithItsEpochs) {
  const std::string store = fresh("h200.db");
  auto imported = run_cli("store import " + h200("resnet50_samples.csv") + " --epochs " + h200("resnet50_epochs.csv") + " --store " + store);
  ASSERT_EQ(imported.exit_code, 0) << imported.err;
  EXPECT_EQ(count_lines(run_cli("export 1 --store " + store).out), count_lines(read_text(h200("resnet50_samples.csv"))));
  auto epochs = run_cli("export 1 --what epochs --format jsonl --store " + store);
  EXPECT_EQ(count_lines(epochs.out), 16);
  EXPECT_NE(epochs.out.find("\"epoch\":16"), std::string::npos);
  EXPECT_NE(epochs.out.find("\"val_acc\":0.5419921875"), std::string::npos) << "epoch 1's metrics";
  auto shown = run_cli("show 1 --store " + store);
  EXPECT_NE(shown.out.find("modelled"), std::string::npos) << "CPU and memory had no counter: modelled\n" << shown.out;
}

// An export does not carry the exit status: an imported run counts in `compare` as a successful
// one unless --exit-code says it failed.
TEST(StoreImportTest, ImportedRunsCountInCompareUnlessTheyFailed) {
  const std::string store = fresh("compare_imported.db");
  for (const std::string arm : {"a", "b", "b --exit-code 1"}) {
    auto imported = run_cli("store import " + h200("resnet50_samples.csv") + " --epochs " + h200("resnet50_epochs.csv") + " --store " + store + " --tag arm=" + arm);
    ASSERT_EQ(imported.exit_code, 0) << imported.err;
  }
  auto compared = run_cli("compare " + store + " --by arm --metric energy_kj --format csv --table groups");
  ASSERT_EQ(compared.exit_code, 0) << compared.err;
  EXPECT_NE(compared.out.find("\na,1,"), std::string::npos) << compared.out;
  EXPECT_NE(compared.out.find("\nb,1,"), std::string::npos) << "the failed import is left out\n" << compared.out;
  auto bad = run_cli("store import " + h200("resnet50_samples.csv") + " --store " + store + " --exit-code 300");
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("--exit-code"), std::string::npos) << bad.err;
}

struct BadImport {
  const char* name;
  const char* samples;
  const char* epochs;  // nullptr: none given
  const char* message;
};

class StoreImportBadInputTest : public ::testing::TestWithParam<BadImport> {};

TEST_P(StoreImportBadInputTest, IsOneLocatedLineExit2AndNoStore) {
  const BadImport& bad = GetParam();
  const std::string store = fresh(std::string("bad_") + bad.name + ".db");
  const std::string samples = write_scratch(std::string("bad_samples_") + bad.name + ".csv", bad.samples);
  std::string args = "store import " + samples + " --store " + store;
  if (bad.epochs) args += " --epochs " + write_scratch(std::string("bad_epochs_") + bad.name + ".csv", bad.epochs);
  auto result = run_cli(args);
  EXPECT_EQ(result.exit_code, 2) << result.err;
  EXPECT_EQ(count_lines(result.err), 1) << result.err;
  EXPECT_NE(result.err.find(bad.message), std::string::npos) << result.err;
  EXPECT_TRUE(result.out.empty());
  EXPECT_FALSE(fs::exists(store)) << "a bad file writes nothing";
}

constexpr const char* kHeader = "tick,t_s,device,kind,power_w,energy_j\n";

INSTANTIATE_TEST_SUITE_P(
    Files, StoreImportBadInputTest,
    ::testing::Values(BadImport{"missing_column", "tick,t_s,device,power_w\n0,1,gpu0,100\n", nullptr, "kind"},
                      BadImport{"bad_number", "tick,t_s,device,kind,power_w,energy_j\n0,1,gpu0,gpu,abc,\n", nullptr, ":2: field 'power_w'"},
                      BadImport{"repeated_tick", "tick,t_s,device,kind,power_w,energy_j\n0,1,gpu0,gpu,100,\n0,2,gpu0,gpu,100,\n", nullptr,
                                ":3: field 'tick'"},
                      BadImport{"fractional_tick", "tick,t_s,device,kind,power_w,energy_j\n0.5,1,gpu0,gpu,100,\n", nullptr, ":2: field 'tick'"},
                      BadImport{"empty", "", nullptr, "empty"},
                      BadImport{"no_samples", kHeader, nullptr, "no samples"},
                      BadImport{"bad_metrics", "tick,t_s,device,kind,power_w,energy_j\n0,1,gpu0,gpu,100,\n",
                                "epoch,start_s,duration_s,energy_j,mean_power_w,metrics_json\n1,1,1,1,1,{oops\n", ":2: field 'metrics_json'"},
                      BadImport{"negative_duration", "tick,t_s,device,kind,power_w,energy_j\n0,1,gpu0,gpu,100,\n",
                                "epoch,start_s,duration_s\n1,1,-1\n", ":2: field 'duration_s'"}),
    [](const ::testing::TestParamInfo<BadImport>& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace wattcast::testing
