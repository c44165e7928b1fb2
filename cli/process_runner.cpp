#include "cli/process_runner.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cmath>

#include "cli/cli_error.h"

namespace wattcast::cli {

namespace {

timespec to_timespec(double seconds) {
  seconds = std::max(0.0, seconds);
  timespec t{};
  t.tv_sec = static_cast<time_t>(seconds);
  t.tv_nsec = static_cast<long>((seconds - static_cast<double>(t.tv_sec)) * 1e9);
  return t;
}

double now_s() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }

}  // namespace

ProcessRunner::ProcessRunner() {
  sigemptyset(&watched_);
  for (int s : {SIGCHLD, SIGINT, SIGTERM, SIGHUP}) sigaddset(&watched_, s);
  pthread_sigmask(SIG_BLOCK, &watched_, &previous_);
}

ProcessRunner::~ProcessRunner() { pthread_sigmask(SIG_SETMASK, &previous_, nullptr); }

ProcessOutcome ProcessRunner::run(const std::vector<std::string>& argv, std::optional<double> timeout_s, double grace_s) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const pid_t pid = fork();
  if (pid < 0) throw CliError("cannot start a run: fork failed", 1);
  if (pid == 0) {
    pthread_sigmask(SIG_SETMASK, &previous_, nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  ProcessOutcome outcome;
  double deadline_s = timeout_s ? now_s() + *timeout_s : INFINITY;  // none: wait as long as it takes
  bool killed = false;
  while (true) {
    int status = 0;
    if (waitpid(pid, &status, WNOHANG) == pid) {
      outcome.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      return outcome;
    }
    siginfo_t info{};
    timespec wait = to_timespec(std::isfinite(deadline_s) ? deadline_s - now_s() : 3600);
    const int signal = sigtimedwait(&watched_, &info, &wait);
    if (signal == SIGCHLD) continue;
    if (signal > 0) {
      interrupted_ = signal;
      if (info.si_code == SI_USER || info.si_code == SI_QUEUE) kill(pid, signal);
      continue;
    }
    if (errno != EAGAIN || now_s() < deadline_s) continue;
    if (!outcome.timed_out) {
      outcome.timed_out = true;
      kill(pid, SIGTERM);
      deadline_s = now_s() + grace_s;
    } else if (!killed) {
      kill(pid, SIGKILL);
      killed = true;
      deadline_s = INFINITY;
    }
  }
}

bool ProcessRunner::pause(double seconds) {
  const double until = now_s() + seconds;
  while (!interrupted_ && now_s() < until) {
    siginfo_t info{};
    timespec wait = to_timespec(until - now_s());
    const int signal = sigtimedwait(&watched_, &info, &wait);
    if (signal > 0 && signal != SIGCHLD) interrupted_ = signal;
  }
  return !interrupted_;
}

}  // namespace wattcast::cli
