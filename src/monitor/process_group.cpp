#include "monitor/process_group.h"

#include <signal.h>

#include <algorithm>
#include <cerrno>
#include <chrono>

namespace wattcast {

namespace {

double now_s() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }

}  // namespace

bool ProcessGroupStop::alive() const { return ::kill(-group_, 0) == 0 || errno == EPERM; }

void ProcessGroupStop::send(int signal) {
  ::kill(-group_, signal);
  if ((signal == SIGTERM || signal == SIGHUP) && !kill_at_s_) kill_at_s_ = now_s() + grace_s_;
}

bool ProcessGroupStop::escalate() {
  if (!kill_at_s_ || killed_) return false;
  if (!alive()) return false;
  if (now_s() < *kill_at_s_) return true;
  ::kill(-group_, SIGKILL);
  killed_ = true;
  return false;
}

std::optional<double> ProcessGroupStop::seconds_to_kill() const {
  if (!kill_at_s_ || killed_) return std::nullopt;
  return std::max(0.0, *kill_at_s_ - now_s());
}

}  // namespace wattcast
