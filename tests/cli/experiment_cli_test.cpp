// `wattcast experiment` and `wattcast compare` as a user runs them.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>

#include <nlohmann/json.hpp>

#include "cli/cli_runner.h"
#include "test_paths.h"

namespace wattcast::testing {
namespace {

std::string fresh_store(const std::string& name) {
  const std::string path = (scratch_dir() / name).string();
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  return path;
}

// Two optimizers x two repetitions; each run marks 3 epochs and reports val_acc, which depends
// on the optimizer, and fails when asked to.
std::string plan(const std::string& name, const std::string& extra = "") {
  const std::string trace = write_scratch("exp-trace.csv", "t_s,device,power_w\n0,gpu0,200\n");
  const std::string child = write_scratch("exp-child.py",
                                          "import sys, time, wattcast\n"
                                          "opt = sys.argv[1]\n"
                                          "for e in range(3):\n"
                                          "    wattcast.epoch_begin()\n"
                                          "    t = time.time()\n"
                                          "    while time.time() - t < 0.05: pass\n"
                                          "    wattcast.epoch_end(metrics={'val_acc': (0.9 if opt == 'adam' else 0.8) + e / 100})\n");
  return write_scratch(name, "name = \"opt\"\n"
                             "command = \"env PYTHONPATH=" + source_dir() + "/python python3 " + child + " {optimizer}\"\n"
                             "repetitions = 2\n"
                             "seed = 5\n"
                             "epochs = 3\n"
                             "train_samples = 1000\n" + extra +
                             "[factors]\n"
                             "optimizer = [\"adam\", \"sgd\"]\n"
                             "[measure]\n"
                             "replay = \"" + trace + "\"\n");
}

TEST(ExperimentCliTest, RunsEveryTrialIntoOneStoreAndResumesWithoutRepeating) {
  const std::string store = fresh_store("experiment.db");
  const std::string plan_path = plan("plan.toml");
  auto dry = run_cli("experiment " + plan_path + " --out " + store + " --dry-run");
  ASSERT_EQ(dry.exit_code, 0) << dry.err;
  EXPECT_NE(dry.out.find("2 configurations x 2 repetitions = 4 runs"), std::string::npos) << dry.out;
  EXPECT_NE(dry.out.find("not available: no [estimate] table"), std::string::npos) << dry.out;
  EXPECT_FALSE(std::filesystem::exists(store));  // a dry run writes nothing

  auto ran = run_cli("experiment " + plan_path + " --out " + store);
  ASSERT_EQ(ran.exit_code, 0) << ran.err;
  EXPECT_NE(ran.err.find("4/4 runs done"), std::string::npos) << ran.err;
  auto runs = run_cli("runs --store " + store);
  EXPECT_EQ(count_lines(runs.out), 2 + 4) << runs.out;

  auto again = run_cli("experiment " + plan_path + " --out " + store);
  EXPECT_EQ(again.exit_code, 2);
  EXPECT_NE(again.err.find("--resume"), std::string::npos);
  auto resumed = run_cli("experiment " + plan_path + " --out " + store + " --resume");
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_NE(resumed.err.find("0 runs done"), std::string::npos) << resumed.err;
  EXPECT_EQ(count_lines(run_cli("runs --store " + store).out), 2 + 4);

  auto compared = run_cli("compare " + store + " --by optimizer --metric val_acc --format json");
  ASSERT_EQ(compared.exit_code, 0) << compared.err;
  auto j = nlohmann::json::parse(compared.out);
  ASSERT_EQ(j["comparison"]["groups"].size(), 2u);
  EXPECT_EQ(j["comparison"]["groups"][0]["level"], "adam");
  EXPECT_NEAR(j["comparison"]["groups"][0]["median"].get<double>(), 0.92, 1e-12);
  EXPECT_TRUE(j["comparison"].contains("mann_whitney"));
  bool shapiro_skipped = false;
  for (const auto& note : j["notes"]) shapiro_skipped = shapiro_skipped || note.get<std::string>().find("Shapiro-Wilk") != std::string::npos;
  EXPECT_TRUE(shapiro_skipped);  // two runs per group

  auto per_sample = run_cli("compare " + store + " --tradeoff energy_per_sample_j:val_acc --format markdown");
  ASSERT_EQ(per_sample.exit_code, 0) << per_sample.err;
  EXPECT_NE(per_sample.out.find("| optimizer=adam |"), std::string::npos) << per_sample.out;
  auto latex = run_cli("compare " + store + " --by optimizer --metric energy_kj --format latex");
  ASSERT_EQ(latex.exit_code, 0) << latex.err;
  EXPECT_NE(latex.out.find("\\begin{tabular}"), std::string::npos);
  EXPECT_NE(latex.out.find("energy\\_kj"), std::string::npos);
}

TEST(ExperimentCliTest, BadPlansAndStoresAreExit2) {
  auto unknown = run_cli("experiment " + plan("unknown.toml", "speed = 3\n") + " --out " + fresh_store("x.db"));
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.err.find("unknown.toml:7: field 'speed': unknown key"), std::string::npos) << unknown.err;
  EXPECT_EQ(count_lines(unknown.err), 1);
  auto zero = run_cli("experiment " + write_scratch("zero.toml", "command = \"x {a}\"\nrepetitions = 0\n[factors]\na = [1]\n"));
  EXPECT_EQ(zero.exit_code, 2);
  EXPECT_EQ(run_cli("experiment " + write_scratch("nofactor.toml", "command = \"x\"\n[factors]\na = [1]\n")).exit_code, 2);
  EXPECT_EQ(run_cli("experiment missing.toml").exit_code, 2);

  EXPECT_EQ(run_cli("compare " + fresh_store("none.db") + " --by a --metric energy_kj").exit_code, 2);
}

TEST(ExperimentCliTest, CompareNamesAMissingFactor) {
  const std::string store = fresh_store("compare-tags.db");
  const std::string trace = write_scratch("c-trace.csv", "t_s,device,power_w\n0,gpu0,100\n");
  // A --tag right before `--` takes one value and leaves the command's own options alone.
  ASSERT_EQ(run_cli("measure --replay " + trace + " --out " + store + " --tag gpu=a -- sh -c true").exit_code, 0);
  auto result = run_cli("compare " + store + " --by batch_size --metric energy_kj");
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("no successful run has the tag 'batch_size' (tags seen: gpu)"), std::string::npos) << result.err;
  EXPECT_EQ(run_cli("compare " + store + " --by gpu").exit_code, 2);
  EXPECT_EQ(run_cli("compare " + store + " --tradeoff energy").exit_code, 2);
}

}  // namespace
}  // namespace wattcast::testing

namespace wattcast::testing {
namespace {

// A run over its timeout is stopped and counted as failed; the warm-up runs first, unmeasured.
TEST(ExperimentCliTest, TimeoutsStopARunAndTheWarmUpRunsFirst) {
  const std::string store = fresh_store("timeout.db");
  const std::string warmed = (scratch_dir() / "warmed").string();
  std::filesystem::remove(warmed);
  const std::string plan_path =
      write_scratch("timeout.toml", "command = \"test -e " + warmed + " && exec sleep {seconds}\"\n"
                                    "repetitions = 1\n"
                                    "timeout_s = 1\n"
                                    "warmup_command = \"touch " + warmed + "\"\n"
                                    "[factors]\n"
                                    "seconds = [0, 30]\n");
  auto result = run_cli("experiment " + plan_path + " --out " + store);
  EXPECT_EQ(result.exit_code, 1) << result.err;
  EXPECT_NE(result.err.find("timed out after 1 s"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("2 runs done"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("1 of them failed"), std::string::npos) << result.err;
  EXPECT_TRUE(std::filesystem::exists(warmed));
}

// Runs that measure refuses store nothing: the experiment fails and names no store.
TEST(ExperimentCliTest, FailedRunsMakeTheExperimentFailAndNameNoStoreNotWritten) {
  const std::string store = fresh_store("never.db");
  const std::string plan_path = write_scratch("refused.toml", "command = \"true {a}\"\nrepetitions = 1\n[factors]\na = [1, 2]\n"
                                                              "[measure]\nregion = \"Atlantis\"\n");
  auto result = run_cli("experiment " + plan_path + " --out " + store);
  EXPECT_EQ(result.exit_code, 1) << result.err;
  EXPECT_NE(result.err.find("2 failed; none was stored"), std::string::npos) << result.err;
  EXPECT_EQ(result.err.find("results in"), std::string::npos) << result.err;
  EXPECT_FALSE(std::filesystem::exists(store));
}

// A run's command that leaves a process running (a background job of its shell) does not
// overlap the next run: the experiment stops what a run left before starting the next.
TEST(ExperimentCliTest, NoRunStartsWhileTheLastOnesProcessesLive) {
  const std::string store = fresh_store("leftovers.db");
  const auto dir = scratch_dir() / "leftovers";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const std::string pids = dir.string();
  // Fails (exit 3) when a process an earlier run left is still alive; then leaves its own.
  const std::string plan_path = write_scratch(
      "leftovers.toml", "command = \"for f in " + pids + "/pid_*; do [ -e \\\"$f\\\" ] && kill -0 $(cat \\\"$f\\\") 2>/dev/null && exit 3; done; "
                        "sleep 300 & echo $! > " + pids + "/pid_{a}\"\nrepetitions = 1\n[factors]\na = [1, 2, 3]\n");
  auto result = run_cli("experiment " + plan_path + " --out " + store);
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.err.find("left 1 processes running"), std::string::npos) << result.err;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    const pid_t pid = std::stoi(read_text(entry.path().string()));
    EXPECT_NE(kill(pid, 0), 0) << "still running: " << pid;
  }
}

// SIGINT stops the experiment after the current run (which it interrupts), and --resume runs
// the interrupted trial again.
TEST(ExperimentCliTest, AnInterruptedExperimentResumes) {
  const std::string store = fresh_store("interrupted.db");
  const std::string fifo = (scratch_dir() / "experiment.fifo").string();
  std::filesystem::remove(fifo);
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  // The first run tells the test it started (while the FIFO exists), then waits to be interrupted.
  const std::string plan_path = write_scratch(
      "interrupt.toml", "command = \"if [ -p " + fifo + " ]; then echo started > " + fifo + "; exec sleep 30; fi; true {n}\"\n"
                        "repetitions = 1\n"
                        "[factors]\n"
                        "n = [1, 2]\n");
  const pid_t experiment = fork();
  if (experiment == 0) {
    const int devnull = open("/dev/null", O_WRONLY);
    dup2(devnull, STDOUT_FILENO);
    dup2(devnull, STDERR_FILENO);
    execl(WATTCAST_BIN, WATTCAST_BIN, "experiment", plan_path.c_str(), "--out", store.c_str(), static_cast<char*>(nullptr));
    _exit(99);
  }
  FILE* started = std::fopen(fifo.c_str(), "r");  // blocks until the first run has started
  ASSERT_NE(started, nullptr);
  char line[16] = {};
  ASSERT_NE(std::fgets(line, sizeof line, started), nullptr);
  std::fclose(started);
  std::filesystem::remove(fifo);
  ASSERT_EQ(kill(experiment, SIGINT), 0);
  int status = 0;
  ASSERT_EQ(waitpid(experiment, &status, 0), experiment);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 128 + SIGINT);
  EXPECT_EQ(count_lines(run_cli("runs --store " + store).out), 2 + 1);  // the interrupted run only

  auto resumed = run_cli("experiment " + plan_path + " --out " + store + " --resume");
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_NE(resumed.err.find("2 runs done"), std::string::npos) << resumed.err;
  EXPECT_EQ(count_lines(run_cli("runs --store " + store).out), 2 + 3);
}

}  // namespace
}  // namespace wattcast::testing
