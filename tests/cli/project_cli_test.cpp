// `wattcast project`, `segment` and the live projection, budget and early stopping of `measure`.

#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "cli/cli_runner.h"
#include "test_paths.h"

namespace wattcast::testing {
namespace {

std::string epochs_csv(const std::string& name, int epochs) {
  std::string csv = "epoch,duration_s,energy_j\n";
  for (int e = 1; e <= epochs; ++e) csv += std::to_string(e) + "," + (e <= 2 ? "14" : "10") + "," + (e <= 2 ? "1200" : "1000") + "\n";
  return write_scratch(name, csv);
}

std::string fresh_store(const std::string& name) {
  const std::string path = (scratch_dir() / name).string();
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  return path;
}

std::string constant_trace() { return write_scratch("flat.csv", "t_s,device,power_w\n0,gpu0,300\n"); }

std::string python_child(const std::string& script) {
  return "env PYTHONPATH=" + source_dir() + "/python python3 " + write_scratch("child.py", script);
}

TEST(ProjectCliTest, ProjectsAFinishedRunFromACsvAndReportsTheError) {
  auto result = run_cli("project " + epochs_csv("level.csv", 30));
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("stabilizing epoch 3"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("epoch-energy"), std::string::npos);
  EXPECT_NE(result.out.find("error_pct"), std::string::npos);

  auto json = run_cli("project " + epochs_csv("level.csv", 30) + " --format json --detector fixed");
  ASSERT_EQ(json.exit_code, 0) << json.err;
  auto parsed = nlohmann::json::parse(json.out);
  EXPECT_EQ(parsed["detector"]["name"], "fixed");
  ASSERT_EQ(parsed["projections"].size(), 2u);
  EXPECT_NEAR(parsed["projections"][0]["energy_j"].get<double>(), 2400 + 28 * 1000.0, 1e-6);
  EXPECT_NEAR(parsed["projections"][0]["error_pct"].get<double>(), 0, 1e-9);
}

TEST(ProjectCliTest, ARunStillGoingNeedsItsEpochCount) {
  const std::string csv = epochs_csv("going.csv", 12);
  auto without = run_cli("project " + csv);
  auto with = run_cli("project " + csv + " --epochs 50 --format json");
  ASSERT_EQ(with.exit_code, 0) << with.err;
  EXPECT_TRUE(nlohmann::json::parse(with.out)["actual_total_j"].is_null());
  EXPECT_NEAR(nlohmann::json::parse(with.out)["projections"][0]["energy_j"].get<double>(), 2400 + 48 * 1000.0, 1e-6);
  EXPECT_EQ(without.exit_code, 0);  // a CSV without --epochs is the whole run
  for (const char* epochs : {"0", "-5", "30.5", "1e300"}) {
    auto bad = run_cli("project " + csv + " --epochs " + epochs);
    EXPECT_EQ(bad.exit_code, 2) << epochs;
    EXPECT_NE(bad.err.find("--epochs: expected a whole number from 1 to 1000000, got '" + std::string(epochs) + "'"), std::string::npos) << bad.err;
  }
}

TEST(ProjectCliTest, BadInputIsExit2WithAClearMessage) {
  auto few = run_cli("project " + epochs_csv("few.csv", 3));
  EXPECT_EQ(few.exit_code, 2);
  EXPECT_NE(few.err.find("fewer than the window of 5"), std::string::npos) << few.err;

  auto bad = run_cli("project " + write_scratch("bad.csv", "duration_s,energy_j\n10,1000\n-1,1000\n"));
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("bad.csv:3"), std::string::npos) << bad.err;
  EXPECT_EQ(count_lines(bad.err), 1);

  auto zero = run_cli("project " + write_scratch("zero.csv", "duration_s,energy_j\n0,0\n0,0\n0,0\n0,0\n0,0\n0,0\n"));
  EXPECT_EQ(zero.exit_code, 2);
  EXPECT_NE(zero.err.find("no projection possible"), std::string::npos) << zero.err;

  EXPECT_EQ(run_cli("project " + epochs_csv("e.csv", 20) + " --window 1").exit_code, 2);
  EXPECT_EQ(run_cli("project " + epochs_csv("e.csv", 20) + " --epochs 5").exit_code, 2);
  EXPECT_EQ(run_cli("project " + epochs_csv("e.csv", 20) + " --detector magic").exit_code, 2);
  EXPECT_EQ(run_cli("project 7 --store " + fresh_store("none.db")).exit_code, 2);
}

TEST(ProjectCliTest, EvaluatesOnSyntheticRuns) {
  auto result = run_cli("project --evaluate --synthetic 6 --seed 2 --format json");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  auto parsed = nlohmann::json::parse(result.out);
  EXPECT_EQ(parsed["runs"], 6);
  EXPECT_EQ(parsed["scores"].size(), 3u * 2u * 4u);  // detectors x projections x moments
  EXPECT_EQ(parsed["sweep_by_window"].size(), 9u);
  EXPECT_FALSE(parsed["switch_detection"].empty());
}

TEST(ProjectCliTest, AConstantTraceHasNoRegimesAndTheFallbackIsNamed) {
  const std::string store = fresh_store("flat.db");
  const StillMachine still;
  auto measured = run_cli("measure --replay " + constant_trace() + " --out " + store + " -- " +
                          python_child("import time, wattcast\n"
                                       "for e in range(8):\n"
                                       "    wattcast.epoch_begin()\n"
                                       "    t = time.time()\n"
                                       "    while time.time() - t < 0.3: pass\n"
                                       "    wattcast.epoch_end()\n"));
  ASSERT_EQ(measured.exit_code, 0) << measured.err;
  auto segment = run_cli("segment 1 --store " + store);
  EXPECT_EQ(segment.exit_code, 2);
  EXPECT_NE(segment.err.find("constant"), std::string::npos) << segment.err;
  auto project = run_cli("project 1 --store " + store + " --detector fluss --window 3 --at-epoch 8");
  ASSERT_EQ(project.exit_code, 0) << project.err;
  EXPECT_NE(project.out.find("constant"), std::string::npos) << project.out;
  EXPECT_NE(project.out.find("used the online detector"), std::string::npos) << project.out;
}

TEST(ProjectCliTest, ARunWithoutEpochMarkersIsProjectedByTime) {
  const std::string store = fresh_store("nomarkers.db");
  auto measured = run_cli("measure --replay " + constant_trace() + " --out " + store + " -- " +
                          python_child("import time\nt = time.time()\nwhile time.time() - t < 1.5: pass\n"));
  ASSERT_EQ(measured.exit_code, 0) << measured.err;
  auto project = run_cli("project 1 --store " + store + " --slice-s 0.2 --window 3");
  ASSERT_EQ(project.exit_code, 0) << project.err;
  EXPECT_NE(project.out.find("no epoch markers: projecting by time"), std::string::npos) << project.out;
  auto too_short = run_cli("project 1 --store " + store + " --slice-s 60");
  EXPECT_EQ(too_short.exit_code, 2);
  EXPECT_NE(too_short.err.find("no epoch markers"), std::string::npos) << too_short.err;
}

// Epochs last long enough (0.2 s and more) for the monitor to read each marker before the
// helper's next look at the stop file, even on a loaded machine.
TEST(MeasureSteeringTest, ABudgetStopsTrainingThroughTheHelper) {
  const std::string store = fresh_store("budget.db");
  auto result = run_cli("measure --replay " + constant_trace() + " --out " + store + " --epochs 100 --window 3 --budget-kj 0.5 --on-budget stop -- " +
                        python_child("import time, wattcast\n"
                                     "for e in range(100):\n"
                                     "    wattcast.epoch_begin()\n"
                                     "    t = time.time()\n"
                                     "    while time.time() - t < 0.25: pass\n"
                                     "    wattcast.epoch_end()\n"
                                     "    if wattcast.should_stop():\n"
                                     "        print('stopped after', e + 1)\n"
                                     "        break\n"));
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("stopped after"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("asking training to stop at the end of this epoch"), std::string::npos) << result.err;
  auto show = run_cli("show 1 --store " + store);
  EXPECT_NE(show.out.find("stopped by wattcast: energy budget 0.5 kJ"), std::string::npos) << show.out;
  EXPECT_NE(show.out.find("projected after epoch"), std::string::npos) << show.out;
}

// The phase signal end to end: the helper's parameter counts reach the live projection and the
// stored run; a finished run projected to more epochs than it had has nothing to compare with.
// Ten epochs: under load an epoch of 50 ms may jitter, and the detector then finds stability an
// epoch or two after the switch; the window must still fill before the run ends.
TEST(MeasureSteeringTest, ParameterCountsReachTheLiveProjectionAndTheStoredRun) {
  const std::string store = fresh_store("phase.db");
  const StillMachine still;
  auto result = run_cli("measure --replay " + constant_trace() + " --out " + store + " --epochs 10 --window 3 -- " +
                        python_child("import time, types, wattcast\n"
                                     "class Parameter:\n"
                                     "    def __init__(self, n, trains): self.n, self.requires_grad = n, trains\n"
                                     "    def numel(self): return self.n\n"
                                     "class Model:\n"
                                     "    frozen = True\n"
                                     "    def parameters(self): return [Parameter(21400000, not self.frozen), Parameter(2100000, True)]\n"
                                     "model = Model()\n"
                                     "for e in range(10):\n"
                                     "    model.frozen = e < 3\n"
                                     "    wattcast.epoch_begin(model=model)\n"
                                     "    t = time.time()\n"
                                     "    while time.time() - t < 0.05: pass\n"
                                     "    wattcast.epoch_end()\n"));
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.err.find("phase switch at epoch 4: trainable parameters 2.1M -> 23.5M"), std::string::npos) << result.err;

  auto projected = run_cli("project 1 --store " + store + " --epochs 20");
  ASSERT_EQ(projected.exit_code, 0) << projected.err;
  EXPECT_NE(projected.out.find("phase switch at epoch 4: trainable parameters 2.1M -> 23.5M"), std::string::npos) << projected.out;
  EXPECT_EQ(projected.out.find("error_pct"), std::string::npos) << projected.out;
  EXPECT_EQ(projected.out.find("actual total"), std::string::npos) << projected.out;
  EXPECT_NE(projected.out.find("--epochs 20: the run ended after 10 epochs"), std::string::npos) << projected.out;
  auto as_json = nlohmann::json::parse(run_cli("project 1 --store " + store + " --epochs 20 --format json").out);
  EXPECT_TRUE(as_json["actual_total_j"].is_null());
  EXPECT_FALSE(as_json["projections"][0].contains("error_pct"));
  EXPECT_GE(as_json["projections"][0]["window_first"].get<int>(), 4);
}

TEST(MeasureSteeringTest, WithoutTheHelperTheCommandGetsSigint) {
  const std::string store = fresh_store("sigint-budget.db");
  auto result = run_cli("measure --replay " + constant_trace() + " --out " + store + " --epoch-regex keras --budget-kj 0.3 --on-budget stop -- " +
                        python_child("import time\n"
                                     "for e in range(1, 200):\n"
                                     "    print(f'Epoch {e}/200', flush=True)\n"
                                     "    t = time.time()\n"
                                     "    while time.time() - t < 0.1: pass\n"));
  EXPECT_EQ(result.exit_code, 128 + SIGINT) << result.err;
  EXPECT_NE(result.err.find("sending SIGINT"), std::string::npos) << result.err;
  EXPECT_NE(run_cli("show 1 --store " + store).out.find("stopped by wattcast"), std::string::npos);
}

TEST(MeasureSteeringTest, EarlyStoppingAskedByTheCallbackOption) {
  const std::string store = fresh_store("early.db");
  auto result = run_cli("measure --replay " + constant_trace() + " --out " + store + " -- " +
                        python_child("import time, wattcast\n"
                                     "wattcast.early_stopping(1.0, metric='val_f1')\n"
                                     "for e in range(60):\n"
                                     "    wattcast.epoch_begin()\n"
                                     "    t = time.time()\n"
                                     "    while time.time() - t < 0.2: pass\n"
                                     "    wattcast.epoch_end(metrics={'val_f1': min(0.9, 0.5 + 0.1 * e)})\n"
                                     "    if wattcast.should_stop():\n"
                                     "        print('stopped after', e + 1)\n"
                                     "        break\n"));
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("stopped after"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("early stop: val_f1"), std::string::npos) << result.err;
}

TEST(MeasureSteeringTest, BudgetOptionsAreChecked) {
  const std::string store = fresh_store("options.db");
  EXPECT_EQ(run_cli("measure --out " + store + " --on-budget stop -- true").exit_code, 2);
  EXPECT_EQ(run_cli("measure --out " + store + " --budget-kj 1 --budget-kwh 1 -- true").exit_code, 2);
  EXPECT_EQ(run_cli("measure --out " + store + " --budget-kj -1 -- true").exit_code, 2);
  EXPECT_EQ(run_cli("measure --out " + store + " --metric-mode up --stop-when-gain-per-kj-below 1 -- true").exit_code, 2);
  EXPECT_EQ(run_cli("measure --out " + store + " --detector magic -- true").exit_code, 2);
  EXPECT_FALSE(std::filesystem::exists(store));  // refused before anything was written or started
}

}  // namespace
}  // namespace wattcast::testing
