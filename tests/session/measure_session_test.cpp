// A measured run driven from C++ (issue 17): the same session `wattcast measure` and `measure
// --attach` drive, with an observer in place of the terminal.

#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "session/measure_session.h"
#include "test_paths.h"

namespace wattcast {
namespace {

namespace fs = std::filesystem;

class RecordingObserver : public MeasureObserver {
 public:
  std::function<void()> on_progress;
  std::vector<std::string> notices;
  int progress_calls = 0;

  void notice(const std::string& line) override { notices.push_back(line); }
  void progress(double, const LiveTotals&, int, int, const std::string&) override {
    ++progress_calls;
    if (on_progress) on_progress();
  }
  void before_output() override {}
  void serving_metrics(const ListenAddress&) override {}
};

class MeasureSessionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("wattcast_session_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    std::ofstream(dir_ / "trace.csv") << "t_s,device,power_w\n0,gpu0,100\n0.2,gpu0,200\n0.4,gpu0,150\n";
  }
  void TearDown() override { fs::remove_all(dir_); }

  MeasureRequest request(const std::string& store) const {
    MeasureRequest r;
    r.store = (dir_ / store).string();
    r.replay_trace = (dir_ / "trace.csv").string();
    r.data_dir = testing::data_dir();
    r.interval_ms = 20;
    r.tags = {{"caller", "c++"}};
    return r;
  }

  fs::path dir_;
};

TEST_F(MeasureSessionTest, ACommandIsStartedMeasuredAndRecorded) {
  MeasureRequest r = request("command.db");
  r.command = {"/bin/sh", "-c", "sleep 0.2; exit 3"};  // a short workload that fails
  RecordingObserver observer;
  auto outcome = run_measure_session(std::move(r), observer);
  ASSERT_TRUE(outcome.ok()) << outcome.error().message;
  EXPECT_EQ(outcome->exit_code, 3);
  EXPECT_FALSE(outcome->not_started.has_value());
  ASSERT_TRUE(outcome->summary.has_value()) << outcome->summary_error.value_or("");
  EXPECT_EQ(outcome->summary->run.id, outcome->run_id);
  EXPECT_EQ(outcome->summary->run.tags.at("caller"), "c++");
  EXPECT_GT(outcome->summary->energy_j, 0);
}

TEST_F(MeasureSessionTest, ACommandThatCannotStartIsAnOutcomeWithTheShellsExitCode) {
  MeasureRequest r = request("missing.db");
  r.command = {"/nonexistent/train"};
  RecordingObserver observer;
  auto outcome = run_measure_session(std::move(r), observer);
  ASSERT_TRUE(outcome.ok()) << outcome.error().message;
  EXPECT_EQ(outcome->exit_code, 127);
  ASSERT_TRUE(outcome->not_started.has_value());
}

// The process tree's device can only be recorded once the command runs. A store that refuses it
// then (here a trigger; for users, a disk that just filled up) costs that device, not the run:
// the command is measured to its end and its exit code is the outcome's.
TEST_F(MeasureSessionTest, AStoreThatRefusesTheProcessTreeCostsThatDeviceNotTheRun) {
  RecordingObserver first_observer;
  MeasureRequest first = request("refused.db");
  first.command = {"/bin/true"};
  ASSERT_TRUE(run_measure_session(std::move(first), first_observer).ok());
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir_ / "refused.db").c_str(), &db), SQLITE_OK);
  const int created = sqlite3_exec(db,
                                   "CREATE TRIGGER refuse_process_tree BEFORE INSERT ON devices WHEN NEW.sensor = 'process-tree' "
                                   "BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END;",
                                   nullptr, nullptr, nullptr);
  sqlite3_close(db);
  ASSERT_EQ(created, SQLITE_OK);

  MeasureRequest r = request("refused.db");
  r.command = {"/bin/sh", "-c", "sleep 0.1; exit 4"};
  RecordingObserver observer;
  auto outcome = run_measure_session(std::move(r), observer);
  ASSERT_TRUE(outcome.ok()) << outcome.error().message;
  EXPECT_EQ(outcome->exit_code, 4);
  bool told = false;
  for (const auto& notice : observer.notices) told = told || notice.find("process tree: not recorded") != std::string::npos;
  EXPECT_TRUE(told);
  ASSERT_TRUE(outcome->summary.has_value()) << outcome->summary_error.value_or("");
  ASSERT_EQ(outcome->summary->devices.size(), 3u);  // the replayed GPU, the CPU and memory models
  for (const auto& device : outcome->summary->devices) EXPECT_NE(device.device.sensor, "process-tree");
  EXPECT_GT(outcome->summary->energy_j, 0);
}

// Attached to a process that ends when the observer first hears of the run's progress.
TEST_F(MeasureSessionTest, AnAttachedProcessIsMeasuredUntilItEnds) {
  int pipe_fds[2];
  ASSERT_EQ(pipe(pipe_fds), 0);
  const pid_t target = fork();
  if (target == 0) {
    close(pipe_fds[1]);
    char byte;
    while (read(pipe_fds[0], &byte, 1) > 0) {
    }
    _exit(0);
  }
  close(pipe_fds[0]);
  MeasureRequest r = request("attached.db");
  r.attach = target;
  RecordingObserver observer;
  observer.on_progress = [&] {
    if (pipe_fds[1] >= 0) close(pipe_fds[1]), pipe_fds[1] = -1;  // the target reads EOF and exits
    waitpid(target, nullptr, 0);
  };
  auto outcome = run_measure_session(std::move(r), observer);
  if (pipe_fds[1] >= 0) close(pipe_fds[1]);
  kill(target, SIGKILL);
  waitpid(target, nullptr, 0);
  ASSERT_TRUE(outcome.ok()) << outcome.error().message;
  EXPECT_EQ(outcome->exit_code, 0);
  ASSERT_TRUE(outcome->summary.has_value()) << outcome->summary_error.value_or("");
  EXPECT_NE(outcome->summary->run.end_reason.find("process " + std::to_string(target) + " ended"), std::string::npos)
      << outcome->summary->run.end_reason;
  EXPECT_GE(observer.progress_calls, 1);
}

TEST_F(MeasureSessionTest, InvalidSteeringIsAnErrorBeforeAnythingIsWritten) {
  MeasureRequest r = request("never.db");
  r.command = {"/bin/true"};
  r.steering.window = 1;
  RecordingObserver observer;
  auto outcome = run_measure_session(std::move(r), observer);
  ASSERT_FALSE(outcome.ok());
  EXPECT_NE(outcome.error().message.find("--window"), std::string::npos);
  EXPECT_FALSE(fs::exists(dir_ / "never.db"));
}

}  // namespace
}  // namespace wattcast
