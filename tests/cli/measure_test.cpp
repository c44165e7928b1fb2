// `wattcast measure` as a user runs it: a real child command, a replayed power trace, the store.

#include <fcntl.h>

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <thread>

#include "cli/cli_runner.h"
#include "support/eventually.h"
#include "test_paths.h"
#include <nlohmann/json.hpp>

#include "core/csv.h"
#include "store/sqlite_store.h"

namespace wattcast::testing {
namespace {

namespace fs = std::filesystem;

std::string trace() {
  return write_scratch("trace.csv", "t_s,device,power_w\n0,gpu0,100\n0.2,gpu0,200\n0.4,gpu0,150\n");
}

std::string fresh_store(const std::string& name) {
  const std::string path = (scratch_dir() / name).string();
  fs::remove(path);
  fs::remove(path + "-wal");
  fs::remove(path + "-shm");
  return path;
}

std::string measure(const std::string& store, const std::string& options = "") {
  return "measure --replay " + trace() + " --out " + store + " " + options + " -- ";
}

TEST(MeasureTest, ExitsWithTheCommandsExitCodeAndRecordsTheRun) {
  const std::string store = fresh_store("exit.db");
  auto result = run_cli(measure(store, "--tag model=resnet --region ESP") + "sh -c 'echo hello; echo oops >&2; exit 3'");
  EXPECT_EQ(result.exit_code, 3) << result.err;
  EXPECT_EQ(result.out, "hello\n");  // the command's output passes through unchanged
  EXPECT_NE(result.err.find("oops\n"), std::string::npos);
  EXPECT_NE(result.err.find("CO2e"), std::string::npos);
  auto opened = open_sqlite_store(store);
  ASSERT_TRUE(opened.ok());
  const auto runs = *(*opened)->runs();
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(*runs[0].exit_code, 3);
  EXPECT_EQ(runs[0].tags.at("model"), "resnet");
  EXPECT_FALSE((*opened)->samples(runs[0].id)->empty());
}

TEST(MeasureTest, CommandKilledBySignalGives128PlusSignal) {
  const std::string store = fresh_store("signal.db");
  auto result = run_cli(measure(store) + "sh -c 'kill -TERM $$'");
  EXPECT_EQ(result.exit_code, 128 + SIGTERM) << result.err;
  EXPECT_NE(run_cli("show 1 --store " + store).out.find("killed by signal 15"), std::string::npos);
}

TEST(MeasureTest, CommandNotFoundIs127AndWritesNothing) {
  const std::string store = fresh_store("notfound.db");
  auto result = run_cli(measure(store) + "no-such-command-wattcast");
  EXPECT_EQ(result.exit_code, 127);
  EXPECT_NE(result.err.find("no-such-command-wattcast: command not found"), std::string::npos) << result.err;
  EXPECT_FALSE(fs::exists(store));
}

TEST(MeasureTest, BadStoreAndOptionsAreExit2) {
  auto unwritable = run_cli(measure("/proc/wattcast/runs.db") + "true");
  EXPECT_EQ(unwritable.exit_code, 2) << unwritable.err;
  EXPECT_EQ(count_lines(unwritable.err), 1) << unwritable.err;
  auto unknown = run_cli("measure --frobnicate -- true");
  EXPECT_EQ(unknown.exit_code, 2);
  auto interval = run_cli(measure(fresh_store("interval.db"), "--interval-ms 0") + "true");
  EXPECT_EQ(interval.exit_code, 2);
  EXPECT_NE(interval.err.find("--interval-ms"), std::string::npos);
}

TEST(MeasureTest, StoreFromANewerSchemaIsRefused) {
  const std::string store = fresh_store("newer.db");
  ASSERT_EQ(run_cli(measure(store) + "true").exit_code, 0);
  ASSERT_EQ(std::system(("sqlite3 " + store + " 'PRAGMA user_version=7' 2>/dev/null || python3 -c \"import sqlite3; "
                         "c=sqlite3.connect('" + store + "'); c.execute('PRAGMA user_version=7'); c.commit()\"").c_str()),
            0);
  auto result = run_cli(measure(store) + "true");
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("newer wattcast"), std::string::npos) << result.err;
}

TEST(MeasureTest, EpochPatternsMarkEpochs) {
  const std::string store = fresh_store("epochs.db");
  auto result = run_cli(measure(store, "--epoch-regex keras") +
                        "sh -c 'echo Epoch 1/2; echo \"10/10 [====] - 1s 10ms/step - loss: 0.50 - val_accuracy: 0.80\"; "
                        "echo Epoch 2/2; echo \"10/10 [====] - 1s 10ms/step - loss: 0.40 - val_accuracy: 0.85\"'");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  auto epochs = run_cli("export 1 --what epochs --store " + store);
  ASSERT_EQ(epochs.exit_code, 0) << epochs.err;
  EXPECT_EQ(count_lines(epochs.out), 3) << epochs.out;  // header + 2 epochs
  EXPECT_NE(epochs.out.find("val_accuracy"), std::string::npos);
}

TEST(MeasureTest, PythonHelperMarksEpochsWithMetrics) {
  const std::string store = fresh_store("python.db");
  const std::string script = write_scratch("train.py",
                                           "import wattcast\n"
                                           "for epoch in range(3):\n"
                                           "    wattcast.epoch_begin()\n"
                                           "    wattcast.epoch_end(metrics={'val_f1': 0.5 + epoch / 10})\n");
  auto result = run_cli("measure --replay " + trace() + " --out " + store + " -- env PYTHONPATH=" + source_dir() + "/python python3 " + script);
  ASSERT_EQ(result.exit_code, 0) << result.err;
  auto epochs = run_cli("export 1 --what epochs --format jsonl --store " + store);
  EXPECT_EQ(count_lines(epochs.out), 3) << epochs.out;
  EXPECT_NE(epochs.out.find("\"val_f1\":0.7"), std::string::npos) << epochs.out;
}

// The monitor forwards a SIGINT another process sends it; the command decides what to do.
TEST(MeasureTest, SigintToTheMonitorReachesTheCommand) {
  const std::string store = fresh_store("sigint.db");
  const std::string fifo = (scratch_dir() / "ready.fifo").string();
  fs::remove(fifo);
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  const pid_t monitor = fork();
  if (monitor == 0) {
    const int devnull = open("/dev/null", O_WRONLY);
    dup2(devnull, STDOUT_FILENO);
    dup2(devnull, STDERR_FILENO);
    const std::string script = "trap 'kill $!; exit 42' INT; echo ready > " + fifo + "; sleep 30 & wait";
    execl(WATTCAST_BIN, WATTCAST_BIN, "measure", "--replay", trace().c_str(), "--out", store.c_str(), "--", "bash", "-c", script.c_str(),
          static_cast<char*>(nullptr));
    _exit(99);
  }
  // Opening the FIFO blocks until the command has started and written to it.
  FILE* ready = std::fopen(fifo.c_str(), "r");
  ASSERT_NE(ready, nullptr);
  char line[16] = {};
  ASSERT_NE(std::fgets(line, sizeof line, ready), nullptr);
  std::fclose(ready);
  ASSERT_EQ(kill(monitor, SIGINT), 0);
  int status = 0;
  ASSERT_EQ(waitpid(monitor, &status, 0), monitor);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 42);
}

// Whether `pid` is gone (or a zombie nobody has reaped yet: it no longer runs).
bool process_ended(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return true;
  const size_t close = line.rfind(')');
  return close != std::string::npos && close + 2 < line.size() && line[close + 2] == 'Z';
}

// Starts `measure ... -- sh -c SCRIPT` where the script writes the pid of a grandchild (a
// `sleep` it started) to a FIFO; returns the monitor's pid and the grandchild's.
std::pair<pid_t, pid_t> measure_with_grandchild(const std::string& store, const std::string& script, const std::vector<std::string>& flags) {
  const std::string fifo = (scratch_dir() / "grandchild.fifo").string();
  fs::remove(fifo);
  EXPECT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  const pid_t monitor = fork();
  if (monitor == 0) {
    const int devnull = open("/dev/null", O_WRONLY);
    dup2(devnull, STDOUT_FILENO);
    dup2(devnull, STDERR_FILENO);
    std::vector<std::string> args = {WATTCAST_BIN, "measure", "--replay", trace(), "--out", store};
    args.insert(args.end(), flags.begin(), flags.end());
    args.insert(args.end(), {"--", "sh", "-c", script + " & echo $! > " + fifo + "; wait; echo after"});
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(99);
  }
  FILE* ready = std::fopen(fifo.c_str(), "r");  // blocks until the command has written
  EXPECT_NE(ready, nullptr);
  char line[32] = {};
  if (ready) {
    EXPECT_NE(std::fgets(line, sizeof line, ready), nullptr);
    std::fclose(ready);
  }
  return {monitor, static_cast<pid_t>(std::atoi(line))};
}

int wait_exit_code(pid_t pid) {
  int status = 0;
  EXPECT_EQ(waitpid(pid, &status, 0), pid);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// SIGTERM to the monitor reaches everything the command started, not only the shell.
TEST(MeasureTest, SigtermReachesTheWholeCommand) {
  const auto [monitor, grandchild] = measure_with_grandchild(fresh_store("group.db"), "sleep 300", {});
  ASSERT_GT(grandchild, 0);
  ASSERT_EQ(kill(monitor, SIGTERM), 0);
  EXPECT_EQ(wait_exit_code(monitor), 143);
  EXPECT_TRUE(process_ended(grandchild));
  if (!process_ended(grandchild)) kill(grandchild, SIGKILL);
}

// A command that ignores SIGTERM gets SIGKILL --stop-grace-s later, its children too.
TEST(MeasureTest, ACommandIgnoringSigtermIsKilledAfterTheGrace) {
  const auto [monitor, grandchild] = measure_with_grandchild(fresh_store("stubborn.db"), "trap '' TERM; sleep 300", {"--stop-grace-s", "1"});
  ASSERT_GT(grandchild, 0);
  ASSERT_EQ(kill(monitor, SIGTERM), 0);
  EXPECT_EQ(wait_exit_code(monitor), 137);
  EXPECT_TRUE(process_ended(grandchild));
  if (!process_ended(grandchild)) kill(grandchild, SIGKILL);
}

// The training outlives a monitor killed with SIGKILL, also when its output goes through the
// monitor (--epoch-regex): what it prints afterwards still reaches the monitor's stdout.
TEST(MeasureTest, TheCommandSurvivesAKilledMonitorThatReadsItsOutput) {
  const std::string store = fresh_store("orphaned.db");
  const std::string ready = (scratch_dir() / "orphan_ready.fifo").string();
  const std::string go_on = (scratch_dir() / "orphan_go.fifo").string();
  const std::string done = (scratch_dir() / "orphan_done").string();
  const std::string output = (scratch_dir() / "orphan_stdout.txt").string();
  for (const auto& path : {ready, go_on, done}) fs::remove(path);
  ASSERT_EQ(mkfifo(ready.c_str(), 0600), 0);
  ASSERT_EQ(mkfifo(go_on.c_str(), 0600), 0);
  const std::string script = "echo 'Epoch 1/2'; echo ready > " + ready + "; cat " + go_on + " > /dev/null; "
                             "for i in $(seq 2000); do echo \"line $i after the monitor\"; done; echo survived > " + done;
  const pid_t monitor = fork();
  if (monitor == 0) {
    const int out = open(output.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(out, STDOUT_FILENO);
    const int devnull = open("/dev/null", O_WRONLY);
    dup2(devnull, STDERR_FILENO);
    execl(WATTCAST_BIN, WATTCAST_BIN, "measure", "--replay", trace().c_str(), "--out", store.c_str(), "--epoch-regex", "keras", "--", "sh", "-c",
          script.c_str(), static_cast<char*>(nullptr));
    _exit(99);
  }
  FILE* started = std::fopen(ready.c_str(), "r");  // blocks until the command opens it
  ASSERT_NE(started, nullptr);
  char line[16] = {};
  // Read before closing: a writer whose reader has gone gets SIGPIPE.
  EXPECT_NE(std::fgets(line, sizeof line, started), nullptr);
  std::fclose(started);
  ASSERT_EQ(kill(monitor, SIGKILL), 0);
  int status = 0;
  ASSERT_EQ(waitpid(monitor, &status, 0), monitor);
  const int release = open(go_on.c_str(), O_WRONLY);  // the command goes on once this opens
  ASSERT_GE(release, 0);
  close(release);
  // The relay writes the last lines after the command wrote them: look until both are there.
  eventually([&] { return fs::exists(done) && read_text(output).find("line 2000 after the monitor") != std::string::npos; });
  EXPECT_EQ(read_text(done), "survived\n");
  EXPECT_NE(read_text(output).find("line 2000 after the monitor"), std::string::npos);
}

// A long epoch table folds in the summary; the store and `export` keep every epoch.
TEST(MeasureTest, TheSummaryFoldsALongEpochTable) {
  const std::string store = fresh_store("many_epochs.db");
  auto measured = run_cli("measure --replay " + trace() + " --out " + store +
                          " --epoch-regex keras -- sh -c 'for i in $(seq 60); do echo \"Epoch $i/60\"; done'");
  ASSERT_EQ(measured.exit_code, 0) << measured.err;
  auto show = run_cli("show 1 --store " + store);
  ASSERT_EQ(show.exit_code, 0) << show.err;
  auto epochs = run_cli("export 1 --what epochs --format jsonl --store " + store);
  const int stored = count_lines(epochs.out);
  EXPECT_GE(stored, 59) << epochs.out;
  EXPECT_NE(show.out.find(std::to_string(stored - 40) + " epochs folded"), std::string::npos) << show.out;
}

// A monitor killed with SIGKILL leaves a store that opens cleanly, with the samples it flushed.
TEST(MeasureTest, StoreSurvivesAKilledMonitor) {
  const std::string store = fresh_store("killed.db");
  const std::string command_pid_file = (scratch_dir() / "killed_command.pid").string();
  fs::remove(command_pid_file);
  const pid_t monitor = fork();
  if (monitor == 0) {
    setpgid(0, 0);
    const int devnull = open("/dev/null", O_WRONLY);
    dup2(devnull, STDOUT_FILENO);
    dup2(devnull, STDERR_FILENO);
    execl(WATTCAST_BIN, WATTCAST_BIN, "measure", "--interval-ms", "10", "--replay", trace().c_str(), "--out", store.c_str(), "--", "sh", "-c",
          ("echo $$ > " + command_pid_file + "; exec sleep 60").c_str(), static_cast<char*>(nullptr));
    _exit(99);
  }
  // Wait (bounded) until the store holds a flushed batch of samples.
  size_t seen = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (seen == 0 && std::chrono::steady_clock::now() < deadline) {
    if (fs::exists(store)) {
      auto opened = open_sqlite_store(store);
      if (opened) {
        auto runs = (*opened)->runs();
        if (runs && !runs->empty()) seen = (*opened)->samples(runs->front().id)->size();
      }
    }
    if (seen == 0) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_GT(seen, 0u);
  kill(-monitor, SIGKILL);
  int status = 0;
  waitpid(monitor, &status, 0);
  // The command outlives its monitor (it has a process group of its own); the test ends it.
  if (const int command = std::atoi(read_text(command_pid_file).c_str()); command > 0) kill(command, SIGKILL);

  auto opened = open_sqlite_store(store);
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  const auto runs = *(*opened)->runs();
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_FALSE(runs[0].end_s.has_value());  // never finished
  EXPECT_GE((*opened)->samples(runs[0].id)->size(), seen);
  EXPECT_TRUE(runs[0].heartbeat_s.has_value());  // the monitor beat while it lived
  auto show = run_cli("show 1 --store " + store);
  EXPECT_EQ(show.exit_code, 0) << show.err;
}

// A run whose monitor was killed long ago is shown as lost, by when it was last seen.
TEST(MeasureTest, ARunWhoseMonitorDiedIsShownLostNotRunning) {
  const std::string store = fresh_store("lost.db");
  const double now_s = static_cast<double>(std::time(nullptr));
  {
    auto opened = open_sqlite_store(store);
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    RunRecord run;
    run.command = "python train.py";
    run.start_s = now_s - 3600;
    run.host = "node";
    const int64_t id = *(*opened)->begin_run(run);
    ASSERT_TRUE((*opened)->record_heartbeat(id, now_s - 3000).ok());
  }
  auto runs = run_cli("runs --store " + store);
  ASSERT_EQ(runs.exit_code, 0) << runs.err;
  EXPECT_NE(runs.out.find("10 min 00 s, monitor lost"), std::string::npos) << runs.out;
  EXPECT_EQ(runs.out.find("running"), std::string::npos) << runs.out;
  auto show = run_cli("show 1 --store " + store);
  ASSERT_EQ(show.exit_code, 0) << show.err;
  EXPECT_NE(show.out.find("(monitor lost at "), std::string::npos) << show.out;
}

}  // namespace
}  // namespace wattcast::testing

namespace wattcast::testing {
namespace {

// A fake H200 (tests/fakes/fake_nvml.cpp): its energy counter costs ~4 ms of CPU a read and its
// readings change every 100 ms, as on the real GPU.
// The commands the test runs see it instead of the machine's libnvidia-ml.
class FakeGpu {
 public:
  // `keys`: more of the fake's script keys for the GPU, e.g. a constant power.
  explicit FakeGpu(const std::string& keys = "") {
    ::setenv("WATTCAST_NVML_LIBRARY", WATTCAST_FAKE_NVML, 1);
    ::setenv("WATTCAST_FAKE_NVML_SCRIPT",
             write_scratch("h200.nvml", "gpu name=NVIDIA H200; uuid=GPU-00000000-0000-0000-0000-0000000000a1" + keys + "\n").c_str(), 1);
  }
  ~FakeGpu() {
    ::unsetenv("WATTCAST_NVML_LIBRARY");
    ::unsetenv("WATTCAST_FAKE_NVML_SCRIPT");
  }
};

// `measure OPTIONS` on a Python training of `epochs` epochs of `epoch_s` each, marked by the helper.
CliResult measure_python_epochs(const std::string& options, int epochs, double epoch_s) {
  const std::string script = write_scratch("train_epochs.py", "import time, wattcast\n"
                                                              "time.sleep(0.3)\n"
                                                              "for epoch in range(" + std::to_string(epochs) + "):\n"
                                                              "    wattcast.epoch_begin()\n"
                                                              "    time.sleep(" + std::to_string(epoch_s) + ")\n"
                                                              "    wattcast.epoch_end(metrics={'val_f1': 0.5})\n");
  return run_cli("measure " + options + " -- env PYTHONPATH=" + source_dir() + "/python python3 " + script);
}

// Sampled at 20 ms, the GPU is read 5 times per update: said once; the counter is read at the
// epoch markers (so epoch energies are its own) and the run's ends, not at every sample.
TEST(MeasureGpuTest, CounterAnchorsAtEpochMarkersAndFastSamplingIsToldOnce) {
  const std::string store = fresh_store("gpu.db");
  const FakeGpu gpu;
  auto result = measure_python_epochs("--interval-ms 20 --out " + store, 3, 0.6);
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const std::string notice = "GPU 0 (NVIDIA H200) updates its power reading every 100 ms; sampling every 20 ms";
  const size_t first = result.err.find(notice);
  ASSERT_NE(first, std::string::npos) << result.err;
  EXPECT_EQ(result.err.find(notice, first + 1), std::string::npos) << "once";

  auto samples = run_cli("export 1 --store " + store);
  ASSERT_EQ(samples.exit_code, 0) << samples.err;
  auto epochs = run_cli("export 1 --what epochs --store " + store);
  ASSERT_EQ(epochs.exit_code, 0) << epochs.err;
  auto sample_table = CsvTable::parse(samples.out, "samples");
  auto epoch_table = CsvTable::parse(epochs.out, "epochs");
  ASSERT_TRUE(sample_table.ok() && epoch_table.ok());
  std::vector<double> gpu_sample_s, anchor_s;
  for (const auto& row : sample_table->rows()) {
    if (row.text("kind") != "gpu") continue;
    gpu_sample_s.push_back(*row.number("t_s"));
    if (!row.text("energy_j").empty()) anchor_s.push_back(*row.number("t_s"));
  }
  ASSERT_GE(gpu_sample_s.size(), 60u);
  EXPECT_LE(anchor_s.size(), 2u + 6u + 1u) << "the run's ends and one per marker at most";
  ASSERT_EQ(epoch_table->rows().size(), 3u);
  for (const auto& row : epoch_table->rows()) {
    const double start_s = *row.number("start_s");
    for (double marker_s : {start_s, start_s + *row.number("duration_s")}) {
      const bool anchored = std::any_of(anchor_s.begin(), anchor_s.end(), [&](double t) { return t >= marker_s && t < marker_s + 0.1; });
      EXPECT_TRUE(anchored) << "no counter read right after the marker at " << marker_s;
    }
  }
}

// The live projection (measure's summary) and `project --at-epoch` on the stored run give the same
// figure: at each epoch marker the monitor takes an anchor sample of every sensor, so the energies
// it projects from are those the store gives back.
TEST(MeasureGpuTest, LiveProjectionIsWhatProjectGivesForTheStoredRun) {
  const std::string store = fresh_store("gpu_live.db");
  // A steady run, so that projections are there to compare whatever else the machine does.
  const FakeGpu gpu("; power_mw=250000");
  const StillMachine still;
  // Epochs of 0.5 s: live and stored epochs differ by how power is interpolated over the few
  // milliseconds between a marker and its anchor; on longer epochs that weighs too little to tip
  // the detector one way live and the other on the stored run.
  auto result = measure_python_epochs("--epochs 10 --out " + store, 10, 0.5);
  ASSERT_EQ(result.exit_code, 0) << result.err;
  // The latest live projection, after epoch K (the last, or one before where the detector found
  // no stable window yet on a loaded machine's epochs).
  const std::string live_prefix = "projected after epoch ";
  const size_t line = result.err.find(live_prefix);
  ASSERT_NE(line, std::string::npos) << result.err;
  const int epoch = std::stoi(result.err.substr(line + live_prefix.size()));
  EXPECT_GE(epoch, 5) << result.err;
  const size_t colon = result.err.find("): ", line);
  ASSERT_NE(colon, std::string::npos);
  // "123.4 J" or "1.234 kJ": the summary picks the unit that reads best.
  size_t number_end = 0;
  const double live_figure = std::stod(result.err.substr(colon + 3), &number_end);
  const std::string unit = result.err.substr(colon + 3 + number_end + 1, 2);
  const double live_kj = unit == "kJ" ? live_figure : unit == "MJ" ? live_figure * 1000 : live_figure / 1000;

  auto stored = run_cli("project 1 --at-epoch " + std::to_string(epoch) + " --epochs 10 --detector online --format json --store " + store);
  ASSERT_EQ(stored.exit_code, 0) << stored.err;
  const auto json = nlohmann::json::parse(stored.out);
  const double stored_kj = json.at("projections").at(0).at("energy_j").get<double>() / 1000;
  EXPECT_NEAR(live_kj, stored_kj, 0.005 * stored_kj) << result.err << stored.out;
}

// After each epoch the monitor answers the helper: epoch_end() returns that epoch's energy (the
// energy the store gives back for it), the run's energy so far and, once there is one, the
// projected total with its interval, which the framework callbacks log.
TEST(MeasureGpuTest, EpochEndReturnsTheEpochsEnergyAsStored) {
  const std::string store = fresh_store("gpu_report.db");
  const FakeGpu gpu("; power_mw=250000");
  const StillMachine still;
  const std::string reports = (scratch_dir() / "reports.json").string();
  // The report is awaited without a time bound that a loaded machine could outlast: this test is
  // about what the reports say, not how soon they come.
  const std::string script = write_scratch("train_reports.py", "import json, time, wattcast\n"
                                                               "wattcast.configure(report_timeout_s=60)\n"
                                                               "reports = []\n"
                                                               "for epoch in range(6):\n"
                                                               "    wattcast.epoch_begin()\n"
                                                               "    time.sleep(0.8)\n"
                                                               "    reports.append(wattcast.epoch_end())\n"
                                                               "json.dump(reports, open('" + reports + "', 'w'))\n");
  auto result = run_cli("measure --epochs 6 --window 2 --out " + store + " -- env PYTHONPATH=" + source_dir() + "/python python3 " + script);
  ASSERT_EQ(result.exit_code, 0) << result.err;
  std::ifstream in(reports);
  const auto json = nlohmann::json::parse(in);
  auto epochs = run_cli("export 1 --what epochs --store " + store);
  ASSERT_EQ(epochs.exit_code, 0) << epochs.err;
  auto table = CsvTable::parse(epochs.out, "epochs");
  ASSERT_TRUE(table.ok());
  ASSERT_EQ(json.size(), 6u);
  ASSERT_EQ(table->rows().size(), 6u);
  double previous_so_far_j = 0;
  for (size_t i = 0; i < json.size(); ++i) {
    const auto& report = json[i];
    ASSERT_TRUE(report.is_object()) << "epoch " << i + 1 << " got no report: " << result.err;
    EXPECT_EQ(report.at("epoch").get<int>(), static_cast<int>(i) + 1);
    const double stored_j = *table->rows()[i].number("energy_j");
    // Live, the anchor sample its marker asked for is taken back to the marker's time stamp, where
    // the stored epoch ends; the two differ only by how power is interpolated over those
    // milliseconds (within 1% in 10 runs on a loaded machine, 1.4-2.7% before the take-back; the
    // last epoch once 3 J off in 85 J with the machine at load 2, so epochs are 0.8 s long).
    EXPECT_NEAR(report.at("epoch_energy_j").get<double>(), stored_j, 0.02 * stored_j) << "epoch " << i + 1;
    const double so_far_j = report.at("energy_so_far_j").get<double>();
    EXPECT_GT(so_far_j, previous_so_far_j);
    previous_so_far_j = so_far_j;
    EXPECT_GT(report.at("co2e_so_far_g").get<double>(), 0);
  }
  const auto& last = json.back();
  ASSERT_TRUE(last.contains("projected_energy_j")) << last.dump();
  EXPECT_LE(last.at("projected_low_j").get<double>(), last.at("projected_energy_j").get<double>());
  EXPECT_GE(last.at("projected_high_j").get<double>(), last.at("projected_energy_j").get<double>());
}

}  // namespace
}  // namespace wattcast::testing
