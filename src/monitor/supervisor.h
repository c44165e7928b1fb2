#pragma once
// The monitor's main loop while the command runs: forwards signals to its process group (and
// kills what is left of it a grace period after a SIGTERM or SIGHUP), passes its output on
// (offering each chunk to the caller, for epoch patterns), calls the caller back regularly (for
// markers and the live line), and returns how the command ended.

#include <functional>
#include <string_view>

#include "monitor/child_process.h"
#include "monitor/process_group.h"

namespace wattcast {

struct ChildExit {
  int exit_code = 0;  // the command's, or 128 + signal as a shell reports a killed command
  std::string reason;  // "exited", "killed by signal 9"
  int forwarded_signals = 0;
};

struct SupervisorCallbacks {
  std::function<void()> before_output;                                     // e.g. to clear a status line
  std::function<void(bool is_stderr, std::string_view bytes)> on_output;  // already passed through
  std::function<void()> on_tick;                                          // at least every tick_ms
  int tick_ms = 1000;
  // Another descriptor to watch (the marker socket): handled as soon as it is readable, so the
  // loop need not wake often just in case.
  int extra_fd = -1;
  std::function<void()> on_extra_readable;
};

// Blocks SIGINT, SIGTERM, SIGHUP and SIGCHLD in the calling thread; call it before starting any
// other thread so they all inherit the mask and the signals reach only the supervisor.
void block_monitor_signals();

// Runs until the child exits, and, when a stop was sent, until its process group is gone or
// killed. SIGINT, SIGTERM and SIGHUP the monitor receives (from another process, or from the
// terminal when the command does not hold it) are sent to the command's whole process group.
Result<ChildExit> supervise(const ChildProcess& child, ProcessGroupStop& group, const SupervisorCallbacks& callbacks);

}  // namespace wattcast
