#include "monitor/child_process.h"

#include "monitor/output_relay.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace wattcast {

std::string quote_command(const std::vector<std::string>& argv) {
  std::string out;
  for (const auto& arg : argv) {
    if (!out.empty()) out += ' ';
    const bool plain = !arg.empty() && arg.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./=:,+@%") == std::string::npos;
    if (plain) {
      out += arg;
      continue;
    }
    out += '\'';
    for (char c : arg) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    out += '\'';
  }
  return out;
}

bool leads_foreground_terminal() {
  return ::isatty(STDIN_FILENO) && ::getpgrp() == ::getpid() && ::tcgetpgrp(STDIN_FILENO) == ::getpgrp();
}

void ChildProcess::reap_relay() const {
  if (relay_pid_ > 0) (void)waitpid(relay_pid_, nullptr, WNOHANG);
}

void ChildProcess::return_terminal() const {
  if (!took_terminal_) return;
  sigset_t ttou, previous;
  sigemptyset(&ttou);
  sigaddset(&ttou, SIGTTOU);
  pthread_sigmask(SIG_BLOCK, &ttou, &previous);
  ::tcsetpgrp(STDIN_FILENO, ::getpgrp());
  pthread_sigmask(SIG_SETMASK, &previous, nullptr);
}

Result<ChildProcess> ChildProcess::spawn(const ChildOptions& options, SpawnError* spawn_error) {
  auto fail = [&](std::string message, int code) -> Error {
    if (spawn_error) *spawn_error = {message, code};
    return Error{message};
  };
  if (options.argv.empty()) return fail("no command given (usage: wattcast measure [options] -- COMMAND ARGS...)", 2);

  int exec_pipe[2] = {-1, -1};
  if (pipe2(exec_pipe, O_CLOEXEC) != 0) return fail(std::string("cannot create a pipe: ") + std::strerror(errno), 2);
  OutputRelay relay;
  if (options.capture_output) {
    auto started = start_output_relay(options.output_terminal);
    if (!started) {
      close(exec_pipe[0]);
      close(exec_pipe[1]);
      return fail(started.error().message, 2);
    }
    relay = *started;
  }

  std::vector<char*> argv;
  for (const auto& arg : options.argv) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);

  const pid_t pid = fork();
  if (pid < 0) {
    // The relay ends once the pipes' write ends are closed.
    if (options.capture_output) {
      for (const int fd : {relay.command_stdout, relay.command_stderr, relay.monitor_stdout, relay.monitor_stderr}) {
        if (fd >= 0) close(fd);
      }
    }
    return fail(std::string("cannot start the command: ") + std::strerror(errno), 2);
  }
  if (pid == 0) {
    ::setpgid(0, 0);
    if (options.take_terminal) {
      // A process outside the foreground group that sets it gets SIGTTOU unless it blocks it.
      sigset_t ttou;
      sigemptyset(&ttou);
      sigaddset(&ttou, SIGTTOU);
      sigprocmask(SIG_BLOCK, &ttou, nullptr);
      ::tcsetpgrp(STDIN_FILENO, ::getpid());
    }
    // The monitor blocks these to read them from a signalfd; the command must get them normally.
    sigset_t all;
    sigfillset(&all);
    sigprocmask(SIG_UNBLOCK, &all, nullptr);
    for (const auto& [name, value] : options.extra_env) setenv(name.c_str(), value.c_str(), 1);
    if (options.capture_output) {
      dup2(relay.command_stdout, STDOUT_FILENO);
      dup2(relay.command_stderr >= 0 ? relay.command_stderr : relay.command_stdout, STDERR_FILENO);
    }
    execvp(argv[0], argv.data());
    const int error = errno;
    (void)!write(exec_pipe[1], &error, sizeof error);
    _exit(127);
  }

  // Also here, so that the group exists before the monitor may signal it (whichever runs first).
  ::setpgid(pid, pid);
  close(exec_pipe[1]);
  int exec_errno = 0;
  const ssize_t got = read(exec_pipe[0], &exec_errno, sizeof exec_errno);
  close(exec_pipe[0]);
  ChildProcess child;
  child.pid_ = pid;
  child.took_terminal_ = options.take_terminal;
  if (options.capture_output) {
    close(relay.command_stdout);
    if (relay.command_stderr >= 0) close(relay.command_stderr);
    child.stdout_fd_ = relay.monitor_stdout;
    child.stderr_fd_ = relay.monitor_stderr;
    child.relay_pid_ = relay.pid;
  }
  if (got == static_cast<ssize_t>(sizeof exec_errno)) {
    int status = 0;
    waitpid(pid, &status, 0);
    if (child.stdout_fd_ >= 0) close(child.stdout_fd_);
    if (child.stderr_fd_ >= 0) close(child.stderr_fd_);
    child.return_terminal();
    if (exec_errno == ENOENT) return fail(options.argv[0] + ": command not found", 127);
    return fail(options.argv[0] + ": cannot execute: " + std::strerror(exec_errno), 126);
  }
  return child;
}

}  // namespace wattcast
