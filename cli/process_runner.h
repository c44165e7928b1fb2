#pragma once
// Runs one child process after another for `experiment`, with a timeout, and takes SIGINT,
// SIGTERM and SIGHUP as "stop after this run": a signal another process sends is passed on to
// the running child (a terminal's Ctrl-C reaches the whole process group by itself).

#include <signal.h>

#include <optional>
#include <string>
#include <vector>

namespace wattcast::cli {

struct ProcessOutcome {
  int exit_code = 0;  // 128 + signal when the child was killed
  bool timed_out = false;
};

class ProcessRunner {
 public:
  // Blocks the signals in the calling thread; construct it before starting any thread.
  ProcessRunner();
  ~ProcessRunner();
  ProcessRunner(const ProcessRunner&) = delete;
  ProcessRunner& operator=(const ProcessRunner&) = delete;

  // After the timeout the child gets SIGTERM, and SIGKILL `grace_s` later.
  ProcessOutcome run(const std::vector<std::string>& argv, std::optional<double> timeout_s, double grace_s = 30);
  // Waits, unless interrupted; false when a stop signal came.
  bool pause(double seconds);
  // The stop signal received so far, if any.
  std::optional<int> interrupted() const { return interrupted_; }

 private:
  sigset_t watched_{};
  sigset_t previous_{};
  std::optional<int> interrupted_;
};

}  // namespace wattcast::cli
