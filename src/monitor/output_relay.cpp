#include "monitor/output_relay.h"

#include <fcntl.h>
#include <linux/close_range.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cerrno>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

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

// Everything but the relay's own ends (and stdin, stdout, stderr) is closed: the relay may
// outlive the monitor, and must not keep its store, its marker socket or its listening port open.
// No allocation: it runs in the forked relay.
void close_other_descriptors(int a, int b, int c, int d) {
  int keep[4] = {a, b, c, d};
  std::sort(keep, keep + 4);
  unsigned int from = 3;
  for (const int fd : keep) {
    if (fd < static_cast<int>(from)) continue;  // -1 (no such end), or a standard stream
    if (static_cast<unsigned int>(fd) > from) ::syscall(SYS_close_range, from, static_cast<unsigned int>(fd) - 1, 0);
    from = static_cast<unsigned int>(fd) + 1;
  }
  ::syscall(SYS_close_range, from, ~0U, 0);
}

// The relay process: only system calls from here on (it was forked from a threaded process).
// With a terminal, in_err and to_monitor_err are -1: both streams come through the terminal.
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
      // A terminal's master reads EIO, not 0, once every holder of the other side has closed it.
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

// A pseudo-terminal like the one the monitor writes to: the same settings and size, so the
// command formats its output (colours, progress bars, line buffering) as it would on its own.
// Returns the master and the other side, both close-on-exec.
Result<std::pair<int, int>> open_terminal_like_stdout() {
  const int master = ::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (master < 0) return Error{std::string("cannot open a pseudo-terminal: ") + std::strerror(errno)};
  char name[128];
  if (::grantpt(master) != 0 || ::unlockpt(master) != 0 || ::ptsname_r(master, name, sizeof name) != 0) {
    const std::string message = std::string("cannot open a pseudo-terminal: ") + std::strerror(errno);
    ::close(master);
    return Error{message};
  }
  const int other_side = ::open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (other_side < 0) {
    const std::string message = std::string("cannot open ") + name + ": " + std::strerror(errno);
    ::close(master);
    return Error{message};
  }
  termios settings{};
  if (::tcgetattr(STDOUT_FILENO, &settings) == 0) {
    // Bytes pass unchanged: the real terminal does its own output processing (\n to \r\n) once.
    settings.c_oflag &= ~static_cast<tcflag_t>(OPOST);
    (void)::tcsetattr(other_side, TCSANOW, &settings);
  }
  winsize size{};
  if (::ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) == 0) (void)::ioctl(other_side, TIOCSWINSZ, &size);
  return std::pair{master, other_side};
}

}  // namespace

bool output_is_one_terminal() {
  struct stat out {}, err {};
  return ::isatty(STDOUT_FILENO) && ::isatty(STDERR_FILENO) && ::fstat(STDOUT_FILENO, &out) == 0 && ::fstat(STDERR_FILENO, &err) == 0 &&
         out.st_rdev == err.st_rdev;
}

Result<OutputRelay> start_output_relay(bool terminal) {
  std::vector<int> opened;
  auto close_opened = [&opened] {
    for (const int fd : opened) ::close(fd);
  };
  OutputRelay ends;
  int command_out = -1, command_err = -1;    // the relay's read ends
  int to_monitor_out = -1, to_monitor_err = -1;  // the relay's write ends
  if (terminal) {
    auto pty = open_terminal_like_stdout();
    if (!pty) return pty.error();
    command_out = pty->first;
    ends.command_stdout = pty->second;
    opened = {pty->first, pty->second};
  }
  auto make_pipe = [&opened](int& read_end, int& write_end) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) return false;
    opened.insert(opened.end(), {fds[0], fds[1]});
    read_end = fds[0], write_end = fds[1];
    return true;
  };
  // Without a terminal the command's two streams come through pipes, and go on to the monitor
  // through two more; with one, one stream comes through the terminal and goes on through one pipe.
  bool piped = make_pipe(ends.monitor_stdout, to_monitor_out);
  if (!terminal) {
    piped = piped && make_pipe(ends.monitor_stderr, to_monitor_err) && make_pipe(command_out, ends.command_stdout) &&
            make_pipe(command_err, ends.command_stderr);
  }
  if (!piped) {
    const std::string message = std::string("cannot create a pipe: ") + std::strerror(errno);
    close_opened();
    return Error{message};
  }
  const pid_t pid = ::fork();
  if (pid < 0) {
    const std::string message = std::string("cannot start the output relay: ") + std::strerror(errno);
    close_opened();
    return Error{message};
  }
  if (pid == 0) relay(command_out, command_err, to_monitor_out, to_monitor_err);
  for (const int fd : {command_out, command_err, to_monitor_out, to_monitor_err}) {
    if (fd >= 0) ::close(fd);
  }
  ends.pid = pid;
  return ends;
}

}  // namespace wattcast
