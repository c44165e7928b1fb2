#pragma once
// Runs the measured command as a child: its own argv, the monitor's environment plus a few
// variables, and, when asked, its stdout/stderr through pipes so the monitor can read epoch
// markers from them while passing the bytes on unchanged.

#include <sys/types.h>

#include <string>
#include <utility>
#include <vector>

#include "core/result.h"

namespace wattcast {

struct ChildOptions {
  std::vector<std::string> argv;
  std::vector<std::pair<std::string, std::string>> extra_env;
  bool capture_output = false;
  // With capture_output: the command writes to a pseudo-terminal (output_relay.h), not pipes.
  bool output_terminal = false;
  // The command gets a process group of its own (process_group.h). When the monitor is a job
  // an interactive shell started (it leads the terminal's foreground process group), the
  // command's group becomes the foreground one, so Ctrl-C and reading the terminal reach the
  // command as if it had been started by the shell.
  bool take_terminal = false;
};

struct SpawnError {
  std::string message;
  int exit_code;  // 127 command not found, 126 not executable, as a shell reports them
};

class ChildProcess {
 public:
  // Errors: the message and the exit code a shell would give.
  static Result<ChildProcess> spawn(const ChildOptions& options, SpawnError* spawn_error);

  pid_t pid() const { return pid_; }  // also the id of its process group
  // When captured, the output comes through a relay process (output_relay.h), so the command
  // outlives a monitor that dies.
  int stdout_fd() const { return stdout_fd_; }  // -1 when not captured
  int stderr_fd() const { return stderr_fd_; }  // -1 also when the output comes through a terminal
  // Collects the relay if it has ended; one still relaying the output of the command's children
  // is left to end by itself.
  void reap_relay() const;
  // Gives the terminal back to the monitor's process group, if the command had taken it.
  void return_terminal() const;

 private:
  pid_t pid_ = -1;
  int stdout_fd_ = -1;
  int stderr_fd_ = -1;
  bool took_terminal_ = false;
  pid_t relay_pid_ = -1;
};

// Whether this process leads the terminal's foreground process group (an interactive shell's job).
bool leads_foreground_terminal();

// The shell-quoted command line, for the run record.
std::string quote_command(const std::vector<std::string>& argv);

}  // namespace wattcast
