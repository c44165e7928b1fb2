#pragma once
// `measure --attach PID`: the monitor's main loop for a process it did not start (a notebook's
// kernel, a training started elsewhere). It watches the process through a pidfd, so it learns of
// its end at once though it cannot reap it, and ends the measurement either when the process ends
// or when the monitor is asked to stop (SIGINT, SIGTERM, SIGHUP): the process goes on then, since
// it is not the monitor's to stop.

#include <sys/types.h>

#include <string>

#include "core/result.h"
#include "monitor/supervisor.h"

namespace wattcast {

// Whether `pid` can be measured by this user: an error saying it does not exist or is not ours.
Status check_attachable(pid_t pid);

// The process's command line as `ps` shows it, for the run record; "pid N" when unreadable.
std::string process_command_line(pid_t pid, const std::string& proc_root = "/proc");

// Runs the callbacks until the process ends or a stop signal comes. The exit code is 0 either
// way (the process's own is its parent's to collect); the reason says which ended the run.
Result<ChildExit> watch_attached(pid_t pid, const SupervisorCallbacks& callbacks);

}  // namespace wattcast
