#include "session/process_runner.h"

#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <vector>


namespace wattcast {

namespace {

timespec to_timespec(double seconds) {
  seconds = std::max(0.0, seconds);
  timespec t{};
  t.tv_sec = static_cast<time_t>(seconds);
  t.tv_nsec = static_cast<long>((seconds - static_cast<double>(t.tv_sec)) * 1e9);
  return t;
}

double now_s() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }

// The child (`wattcast measure`) kills what is left of its command `grace_s` after SIGTERM; it
// gets this much longer before it is killed itself.
constexpr double kKillMargin_s = 10;

// The processes whose parent is this one, from /proc.
std::vector<pid_t> own_children() {
  std::vector<pid_t> out;
  const pid_t self = ::getpid();
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
    const std::string name = entry.path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream stat(entry.path() / "stat");
    std::string line;
    if (!std::getline(stat, line)) continue;
    // pid (comm) state ppid ...: comm may hold spaces and parentheses, so read after the last ')'.
    const size_t close = line.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream rest(line.substr(close + 1));
    char state = 0;
    long ppid = 0;
    rest >> state >> ppid;
    if (ppid == self && state != 'Z') out.push_back(static_cast<pid_t>(std::stol(name)));
  }
  return out;
}

}  // namespace

ProcessRunner::ProcessRunner() {
  sigemptyset(&watched_);
  for (int s : {SIGCHLD, SIGINT, SIGTERM, SIGHUP}) sigaddset(&watched_, s);
  pthread_sigmask(SIG_BLOCK, &watched_, &previous_);
  ::prctl(PR_SET_CHILD_SUBREAPER, 1);
}

ProcessRunner::~ProcessRunner() { pthread_sigmask(SIG_SETMASK, &previous_, nullptr); }

Result<ProcessOutcome> ProcessRunner::run(const std::vector<std::string>& argv, std::optional<double> timeout_s, double grace_s) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const pid_t pid = fork();
  if (pid < 0) return Error{"cannot start a run: fork failed"};
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
      outcome.left_behind = stop_left_behind(grace_s);
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
      deadline_s = now_s() + grace_s + kKillMargin_s;
    } else if (!killed) {
      kill(pid, SIGKILL);
      killed = true;
      deadline_s = INFINITY;
    }
  }
}

void ProcessRunner::wait_for_signal(double seconds) {
  siginfo_t info{};
  timespec wait = to_timespec(seconds);
  const int signal = sigtimedwait(&watched_, &info, &wait);
  if (signal > 0 && signal != SIGCHLD) interrupted_ = signal;
}

int ProcessRunner::stop_left_behind(double grace_s) {
  std::set<pid_t> seen;
  std::optional<double> kill_at_s;
  while (true) {
    while (waitpid(-1, nullptr, WNOHANG) > 0) {
    }
    const std::vector<pid_t> children = own_children();
    if (children.empty()) break;
    if (!kill_at_s) {
      std::fprintf(stderr, "wattcast experiment: the run left %zu processes running; stopping them (SIGTERM, SIGKILL after %g s)\n", children.size(),
                   grace_s);
      kill_at_s = now_s() + grace_s;
    }
    const bool grace_over = now_s() >= *kill_at_s;
    for (const pid_t child : children) {
      // Not reaped yet, so the pid is still this child's.
      const bool new_one = seen.insert(child).second;
      if (grace_over || new_one) kill(child, grace_over ? SIGKILL : SIGTERM);
    }
    // Woken by SIGCHLD as they end; a short period also catches processes handed over later.
    wait_for_signal(std::clamp(*kill_at_s - now_s(), 0.01, 0.1));
  }
  return static_cast<int>(seen.size());
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

}  // namespace wattcast
