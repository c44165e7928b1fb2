#pragma once
// Runs one child process after another for `experiment`, with a timeout, and takes SIGINT,
// SIGTERM and SIGHUP as "stop after this run": a signal another process sends is passed on to
// the running child (a terminal's Ctrl-C reaches the whole process group by itself).
// No run starts while processes of the one before live: this process is a child subreaper, so
// whatever a run left behind (a command's children that outlived it) becomes its child, and is
// stopped (SIGTERM, SIGKILL after the grace period) before run() returns.

#include <signal.h>

#include <optional>
#include <string>
#include <vector>

#include "core/result.h"

namespace wattcast {

struct ProcessOutcome {
  int exit_code = 0;  // 128 + signal when the child was killed
  bool timed_out = false;
  int left_behind = 0;  // processes still running after the child ended, stopped before the next run
};

class ProcessRunner {
 public:
  // Blocks the signals in the calling thread; construct it before starting any thread.
  ProcessRunner();
  ~ProcessRunner();
  ProcessRunner(const ProcessRunner&) = delete;
  ProcessRunner& operator=(const ProcessRunner&) = delete;

  // After the timeout the child gets SIGTERM, and SIGKILL `grace_s` later; `wattcast measure`
  // (given the same --stop-grace-s) passes the SIGTERM on to its command and kills what is left
  // of it within that grace, so the child itself gets a little longer.
  // An error only when no process could be started (fork failed).
  Result<ProcessOutcome> run(const std::vector<std::string>& argv, std::optional<double> timeout_s, double grace_s = kDefaultGraceS);
  static constexpr double kDefaultGraceS = 30;
  // Waits, unless interrupted; false when a stop signal came.
  bool pause(double seconds);
  // The stop signal received so far, if any.
  std::optional<int> interrupted() const { return interrupted_; }

 private:
  // Stops and reaps every process handed to this one; returns how many there were.
  int stop_left_behind(double grace_s);
  // Waits up to `seconds` for a signal: SIGCHLD, or a stop signal (remembered in interrupted_).
  void wait_for_signal(double seconds);

  sigset_t watched_{};
  sigset_t previous_{};
  std::optional<int> interrupted_;
};

}  // namespace wattcast
