#pragma once
// The measured command runs in a process group of its own, so a stop reaches everything it
// started (`sh -c 'python train.py; ...'`: the shell and python), not only the direct child.
// A stop is a signal to the whole group; what is left `grace_s` after a SIGTERM or SIGHUP (the
// last polite word) gets SIGKILL, so a command that ignores SIGTERM still ends.

#include <sys/types.h>

#include <optional>

namespace wattcast {

class ProcessGroupStop {
 public:
  ProcessGroupStop(pid_t group, double grace_s) : group_(group), grace_s_(grace_s) {}

  // Sends `signal` to every process of the group; SIGTERM and SIGHUP start the grace period.
  void send(int signal);
  // SIGKILL to the group once the grace period has passed. True while a kill is still to come
  // (a stop was sent and something of the group is alive).
  bool escalate();
  // Seconds until the kill is due, if one is.
  std::optional<double> seconds_to_kill() const;
  bool alive() const;
  bool killed() const { return killed_; }

 private:
  pid_t group_;
  double grace_s_;
  std::optional<double> kill_at_s_;
  bool killed_ = false;
};

}  // namespace wattcast
