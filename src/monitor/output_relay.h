#pragma once
// With epoch patterns (--epoch-regex) the command's output goes through pipes the monitor reads.
// A monitor that dies (SIGKILL) must not take the training with it: SIGPIPE on its next line, or
// a full pipe nobody reads. So a small relay process sits between them: it hands the output to
// the monitor, which passes it on and reads the epochs from it, and once the monitor is gone it
// writes the output straight to where it was going (the monitor's own stdout and stderr). It
// ignores stop signals and ends when everything that holds the pipes (the command, and children
// of it that outlive it) has closed them.
//
// When the monitor's stdout and stderr are one terminal, the command writes to a pseudo-terminal
// instead of two pipes (one stream, as on the real terminal): it still sees a terminal, so its
// progress bars, colours and line buffering stay what they are without wattcast.

#include <sys/types.h>

#include "core/result.h"

namespace wattcast {

struct OutputRelay {
  pid_t pid = -1;
  int command_stdout = -1;  // write ends, for the command (with a terminal: its other side)
  int command_stderr = -1;  // -1 with a terminal: stderr goes to command_stdout too
  int monitor_stdout = -1;  // read ends, for the monitor
  int monitor_stderr = -1;  // -1 with a terminal
};

// Whether stdout and stderr are the same terminal (an interactive session, not redirected).
bool output_is_one_terminal();

// Forks the relay. Every descriptor returned is close-on-exec; the caller closes the command's
// ends once the command has them.
Result<OutputRelay> start_output_relay(bool terminal);

}  // namespace wattcast
