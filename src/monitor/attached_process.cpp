#include "monitor/attached_process.h"

#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace wattcast {

namespace {

int open_pidfd(pid_t pid) { return static_cast<int>(syscall(SYS_pidfd_open, pid, 0)); }

}  // namespace

Status check_attachable(pid_t pid) {
  if (pid <= 0) return Error{"--attach: expected a process id (a positive whole number), got " + std::to_string(pid)};
  if (kill(pid, 0) == 0) return ok_status();
  if (errno == EPERM) return Error{"--attach: process " + std::to_string(pid) + " belongs to another user: measure your own processes"};
  return Error{"--attach: no process " + std::to_string(pid) + " (it has ended, or the id is wrong)"};
}

std::string process_command_line(pid_t pid, const std::string& proc_root) {
  std::ifstream in(proc_root + "/" + std::to_string(pid) + "/cmdline", std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  // Arguments joined by single spaces, on one line (a `python -c` program has newlines), and
  // short enough for a table.
  constexpr size_t kMaxLength = 200;
  std::string line;
  bool space = false;
  for (unsigned char c : bytes.str()) {
    if (c == '\0' || std::isspace(c)) {
      space = !line.empty();
      continue;
    }
    if (space) line += ' ';
    space = false;
    line += static_cast<char>(c);
  }
  if (line.size() > kMaxLength) line = line.substr(0, kMaxLength - 3) + "...";
  return line.empty() ? "pid " + std::to_string(pid) : line;
}

Result<ChildExit> watch_attached(pid_t pid, const SupervisorCallbacks& callbacks) {
  const int process_fd = open_pidfd(pid);
  if (process_fd < 0) return Error{"--attach: cannot watch process " + std::to_string(pid) + ": " + std::strerror(errno)};
  sigset_t stops;
  sigemptyset(&stops);
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) sigaddset(&stops, sig);
  const int signal_fd = signalfd(-1, &stops, SFD_CLOEXEC | SFD_NONBLOCK);
  if (signal_fd < 0) {
    close(process_fd);
    return Error{std::string("cannot watch signals: ") + std::strerror(errno)};
  }
  ChildExit result;
  for (;;) {
    pollfd fds[3] = {{process_fd, POLLIN, 0}, {signal_fd, POLLIN, 0}, {callbacks.extra_fd, POLLIN, 0}};
    const int ready = poll(fds, 3, callbacks.tick_ms);
    if (ready < 0 && errno != EINTR) break;
    if (callbacks.extra_fd >= 0 && (fds[2].revents & POLLIN) && callbacks.on_extra_readable) callbacks.on_extra_readable();
    if (fds[0].revents & (POLLIN | POLLHUP)) {
      result.reason = "process " + std::to_string(pid) + " ended";
      break;
    }
    if (fds[1].revents & POLLIN) {
      signalfd_siginfo info{};
      if (read(signal_fd, &info, sizeof info) == static_cast<ssize_t>(sizeof info)) {
        result.reason = "measurement stopped by signal " + std::to_string(info.ssi_signo) + "; process " + std::to_string(pid) + " goes on";
        break;
      }
    }
    if (callbacks.on_tick) callbacks.on_tick();
  }
  close(signal_fd);
  close(process_fd);
  return result;
}

}  // namespace wattcast
