#include "monitor/output_relay.h"

#include <fcntl.h>
#include <linux/close_range.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>

namespace wattcast {

namespace {

// Whether all of it was written; false when the reader has gone (EPIPE) or the write failed.
bool write_all(int fd, const char* data, size_t size) {
  while (size > 0) {
    const ssize_t n = ::write(fd, data, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

// Everything but the four pipe ends (and stdin, stdout, stderr) is closed: the relay may outlive
// the monitor, and must not keep its store, its marker socket or its listening port open.
void close_other_descriptors(int a, int b, int c, int d) {
  int keep[4] = {a, b, c, d};
  std::sort(keep, keep + 4);
  unsigned int from = 3;
  for (const int fd : keep) {
    if (static_cast<unsigned int>(fd) > from) ::syscall(SYS_close_range, from, static_cast<unsigned int>(fd) - 1, 0);
    from = static_cast<unsigned int>(fd) + 1;
  }
  ::syscall(SYS_close_range, from, ~0U, 0);
}

// The relay process: only system calls from here on (it was forked from a threaded process).
[[noreturn]] void relay(int in_out, int in_err, int to_monitor_out, int to_monitor_err) {
  struct sigaction ignore {};
  ignore.sa_handler = SIG_IGN;
  for (const int sig : {SIGPIPE, SIGINT, SIGTERM, SIGHUP}) ::sigaction(sig, &ignore, nullptr);
  close_other_descriptors(in_out, in_err, to_monitor_out, to_monitor_err);
  bool monitor_there = true;
  static char buffer[1 << 16];
  pollfd fds[2] = {{in_out, POLLIN, 0}, {in_err, POLLIN, 0}};
  while (fds[0].fd >= 0 || fds[1].fd >= 0) {
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      const ssize_t n = ::read(fds[i].fd, buffer, sizeof buffer);
      if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN)) {
        ::close(fds[i].fd);
        fds[i].fd = -1;
        continue;
      }
      if (n < 0) continue;
      const size_t size = static_cast<size_t>(n);
      if (monitor_there && write_all(i == 0 ? to_monitor_out : to_monitor_err, buffer, size)) continue;
      // The monitor has gone (or closed its end after the command ended): straight through.
      monitor_there = false;
      (void)write_all(i == 0 ? STDOUT_FILENO : STDERR_FILENO, buffer, size);
    }
  }
  ::_exit(0);
}

}  // namespace

Result<OutputRelay> start_output_relay() {
  int command_out[2], command_err[2], monitor_out[2], monitor_err[2];
  int* pipes[4] = {command_out, command_err, monitor_out, monitor_err};
  for (int i = 0; i < 4; ++i) {
    if (::pipe2(pipes[i], O_CLOEXEC) != 0) {
      const std::string message = std::string("cannot create a pipe: ") + std::strerror(errno);
      for (int j = 0; j < i; ++j) ::close(pipes[j][0]), ::close(pipes[j][1]);
      return Error{message};
    }
  }
  const pid_t pid = ::fork();
  if (pid < 0) {
    const std::string message = std::string("cannot start the output relay: ") + std::strerror(errno);
    for (int* p : pipes) ::close(p[0]), ::close(p[1]);
    return Error{message};
  }
  if (pid == 0) relay(command_out[0], command_err[0], monitor_out[1], monitor_err[1]);
  ::close(command_out[0]);
  ::close(command_err[0]);
  ::close(monitor_out[1]);
  ::close(monitor_err[1]);
  return OutputRelay{pid, command_out[1], command_err[1], monitor_out[0], monitor_err[0]};
}

}  // namespace wattcast
