#pragma once
// With epoch patterns (--epoch-regex) the command's output goes through pipes the monitor reads.
// A monitor that dies (SIGKILL) must not take the training with it: SIGPIPE on its next line, or
// a full pipe nobody reads. So a small relay process sits between them: it hands the output to
// the monitor, which passes it on and reads the epochs from it, and once the monitor is gone it
// writes the output straight to where it was going (the monitor's own stdout and stderr). It
// ignores stop signals and ends when everything that holds the pipes (the command, and children
// of it that outlive it) has closed them.

#include <sys/types.h>

#include "core/result.h"

namespace wattcast {

struct OutputRelay {
  pid_t pid = -1;
  int command_stdout = -1;  // write ends, for the command
  int command_stderr = -1;
  int monitor_stdout = -1;  // read ends, for the monitor
  int monitor_stderr = -1;
};

// Forks the relay. Every descriptor returned is close-on-exec; the caller closes the command's
// ends once the command has them.
Result<OutputRelay> start_output_relay();

}  // namespace wattcast
