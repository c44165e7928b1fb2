// `measure --attach PID` (issue 17): a running process measured until it ends or the monitor is
// stopped (the process goes on), and one-line errors for a process that is not there or not ours.

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include <nlohmann/json.hpp>

#include "cli/cli_runner.h"

namespace wattcast::testing {
namespace {

namespace fs = std::filesystem;

// A process of ours that runs until it is killed.
class Target {
 public:
  Target() {
    pid_ = fork();
    if (pid_ == 0) {
      execl("/bin/sleep", "sleep", "600", static_cast<char*>(nullptr));
      _exit(127);
    }
  }
  ~Target() { end(); }
  pid_t pid() const { return pid_; }
  bool alive() const { return kill(pid_, 0) == 0; }
  void end() {
    if (pid_ <= 0) return;
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }

 private:
  pid_t pid_ = -1;
};

// `wattcast measure --attach` in the background, until it says it is measuring.
class AttachedMonitor {
 public:
  AttachedMonitor(pid_t target, const std::string& store) : ready_((scratch_dir() / "ready.json").string()) {
    fs::remove(ready_);
    const std::string log = (scratch_dir() / "attach.log").string();
    pid_ = fork();
    if (pid_ == 0) {
      std::freopen(log.c_str(), "w", stderr);
      std::freopen("/dev/null", "w", stdout);
      const std::string pid = std::to_string(target);
      execl(WATTCAST_BIN, WATTCAST_BIN, "measure", "--attach", pid.c_str(), "--out", store.c_str(), "--ready-file", ready_.c_str(),
            static_cast<char*>(nullptr));
      _exit(127);
    }
  }
  ~AttachedMonitor() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }

  // The ready file, once written; empty if the monitor ended or 30 s passed first.
  nlohmann::json wait_until_ready() {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (std::chrono::steady_clock::now() < deadline) {
      if (fs::exists(ready_)) return nlohmann::json::parse(read_text(ready_));
      if (waitpid(pid_, &status_, WNOHANG) == pid_) {
        pid_ = -1;
        return {};
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));  // polling a condition, bounded above
    }
    return {};
  }
  int wait_for_exit() {
    if (pid_ > 0) waitpid(pid_, &status_, 0);
    pid_ = -1;
    return WIFEXITED(status_) ? WEXITSTATUS(status_) : -1;
  }
  void signal(int sig) const { kill(pid_, sig); }

 private:
  std::string ready_;
  pid_t pid_ = -1;
  int status_ = 0;
};

nlohmann::json shown_run(const std::string& store) {
  const auto shown = run_cli("show 1 --format json --store " + store);
  EXPECT_EQ(shown.exit_code, 0) << shown.err;
  return shown.exit_code == 0 ? nlohmann::json::parse(shown.out) : nlohmann::json{};
}

TEST(AttachTest, TheRunEndsWhenTheProcessEnds) {
  const std::string store = (scratch_dir() / "attach_end.db").string();
  fs::remove(store);
  Target target;
  AttachedMonitor monitor(target.pid(), store);
  const auto ready = monitor.wait_until_ready();
  ASSERT_FALSE(ready.is_null()) << read_text((scratch_dir() / "attach.log").string());
  EXPECT_EQ(ready.at("run_id").get<int>(), 1);
  EXPECT_TRUE(fs::exists(ready.at("socket").get<std::string>()));
  const pid_t pid = target.pid();
  target.end();
  EXPECT_EQ(monitor.wait_for_exit(), 0);
  const auto run = shown_run(store);
  EXPECT_EQ(run.at("command").get<std::string>(), "attached: sleep 600");
  EXPECT_NE(run.at("end_reason").get<std::string>().find("process " + std::to_string(pid) + " ended"), std::string::npos) << run.dump();
}

TEST(AttachTest, StoppingTheMonitorLeavesTheProcessRunning) {
  const std::string store = (scratch_dir() / "attach_stop.db").string();
  fs::remove(store);
  Target target;
  AttachedMonitor monitor(target.pid(), store);
  ASSERT_FALSE(monitor.wait_until_ready().is_null()) << read_text((scratch_dir() / "attach.log").string());
  monitor.signal(SIGTERM);
  EXPECT_EQ(monitor.wait_for_exit(), 0);
  EXPECT_TRUE(target.alive());
  const auto run = shown_run(store);
  EXPECT_NE(run.at("end_reason").get<std::string>().find("goes on"), std::string::npos) << run.dump();
}

TEST(AttachTest, AProcessThatIsNotThereOrNotOursIsOneLineExit2) {
  auto expect_one_line_exit_2 = [](const CliResult& r, const std::string& says) {
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_EQ(count_lines(r.err), 1) << r.err;
    EXPECT_NE(r.err.find(says), std::string::npos) << r.err;
  };
  const std::string store = (scratch_dir() / "attach_bad.db").string();
  fs::remove(store);
  expect_one_line_exit_2(run_cli("measure --attach 2147483646 --out " + store), "no process 2147483646");
  expect_one_line_exit_2(run_cli("measure --attach 0 --out " + store), "--attach: expected a process id");
  expect_one_line_exit_2(run_cli("measure --attach 1 --out " + store + " -- true"), "give no command");
  EXPECT_FALSE(fs::exists(store));

  // Another user's process: as root (CI), drop to nobody to ask for one of ours.
  if (geteuid() == 0) {
    const std::string err = (scratch_dir() / "not_ours.txt").string();
    const pid_t child = fork();
    if (child == 0) {
      std::freopen(err.c_str(), "w", stderr);
      std::freopen("/dev/null", "w", stdout);
      if (setgid(65534) != 0 || setuid(65534) != 0) _exit(99);
      const std::string root_pid = std::to_string(getppid());
      execl(WATTCAST_BIN, WATTCAST_BIN, "measure", "--attach", root_pid.c_str(), "--out", "/nonexistent/x.db", static_cast<char*>(nullptr));
      _exit(127);
    }
    int status = 0;
    waitpid(child, &status, 0);
    expect_one_line_exit_2({WIFEXITED(status) ? WEXITSTATUS(status) : -1, "", read_text(err)}, "belongs to another user");
  } else {
    expect_one_line_exit_2(run_cli("measure --attach 1 --out " + store), "belongs to another user");
  }
}

}  // namespace
}  // namespace wattcast::testing
