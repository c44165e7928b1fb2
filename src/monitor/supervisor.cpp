#include "monitor/supervisor.h"

#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

namespace wattcast {

namespace {

sigset_t monitor_signals() {
  sigset_t set;
  sigemptyset(&set);
  for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGCHLD}) sigaddset(&set, sig);
  return set;
}

void write_all(int fd, const char* data, size_t size) {
  while (size > 0) {
    const ssize_t n = write(fd, data, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      return;  // the reader went away (closed pipe): nothing sensible left to do with the bytes
    }
    data += n;
    size -= static_cast<size_t>(n);
  }
}

}  // namespace

void block_monitor_signals() {
  const sigset_t set = monitor_signals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

Result<ChildExit> supervise(const ChildProcess& child, ProcessGroupStop& group, const SupervisorCallbacks& callbacks) {
  const sigset_t set = monitor_signals();
  const int signal_fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
  if (signal_fd < 0) return Error{std::string("cannot watch signals: ") + std::strerror(errno)};

  ChildExit result;
  int out_fd = child.stdout_fd(), err_fd = child.stderr_fd();
  bool exited = false;
  int status = 0;
  auto reap = [&] {
    if (!exited && waitpid(child.pid(), &status, WNOHANG) == child.pid()) exited = true;
  };
  std::vector<char> buffer(1 << 16);
  auto pump = [&](int& fd, bool is_stderr) {
    const ssize_t n = read(fd, buffer.data(), buffer.size());
    if (n > 0) {
      if (callbacks.before_output) callbacks.before_output();
      write_all(is_stderr ? STDERR_FILENO : STDOUT_FILENO, buffer.data(), static_cast<size_t>(n));
      if (callbacks.on_output) callbacks.on_output(is_stderr, std::string_view(buffer.data(), static_cast<size_t>(n)));
    } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
      close(fd);
      fd = -1;
    }
  };

  // SIGCHLD arrives on the signalfd, so the loop wakes at once when the child exits.
  reap();
  // Until the child has exited and its pipes are drained (a grandchild may hold them open; stop
  // reading then, once the child itself is gone and they are quiet).
  // A stop sent to the group is seen through: what is left of the group gets SIGKILL when its
  // grace period ends, even after the child itself has gone.
  bool stop_pending = false;
  while (!exited || out_fd >= 0 || err_fd >= 0 || stop_pending) {
    int timeout_ms = exited ? 100 : callbacks.tick_ms;
    if (const auto to_kill = group.seconds_to_kill()) timeout_ms = std::min(timeout_ms, static_cast<int>(*to_kill * 1000) + 1);
    pollfd fds[4] = {{signal_fd, POLLIN, 0}, {out_fd, POLLIN, 0}, {err_fd, POLLIN, 0}, {callbacks.extra_fd, POLLIN, 0}};
    const int ready = poll(fds, 4, timeout_ms);
    if (ready < 0 && errno != EINTR) break;
    if (fds[0].revents & POLLIN) {
      signalfd_siginfo info{};
      while (read(signal_fd, &info, sizeof info) == static_cast<ssize_t>(sizeof info)) {
        const int sig = static_cast<int>(info.ssi_signo);
        if (sig == SIGCHLD) continue;
        // The command has a process group of its own: a terminal's signal to the monitor's group
        // did not reach it either.
        group.send(sig);
        ++result.forwarded_signals;
      }
    }
    if (callbacks.extra_fd >= 0 && (fds[3].revents & POLLIN) && callbacks.on_extra_readable) callbacks.on_extra_readable();
    if (out_fd >= 0 && (fds[1].revents & (POLLIN | POLLHUP | POLLERR))) pump(out_fd, false);
    if (err_fd >= 0 && (fds[2].revents & (POLLIN | POLLHUP | POLLERR))) pump(err_fd, true);
    stop_pending = group.escalate();
    reap();
    if (exited && ready == 0) {
      // The child is gone and nothing arrived for a tick: pipes still open belong to its own
      // children, which the run does not wait for.
      if (out_fd >= 0) close(out_fd), out_fd = -1;
      if (err_fd >= 0) close(err_fd), err_fd = -1;
    }
    if (callbacks.on_tick) callbacks.on_tick();
  }
  if (!exited) waitpid(child.pid(), &status, 0);
  close(signal_fd);

  if (WIFSIGNALED(status)) {
    result.exit_code = 128 + WTERMSIG(status);
    result.reason = "killed by signal " + std::to_string(WTERMSIG(status));
  } else {
    result.exit_code = WEXITSTATUS(status);
    result.reason = "exited";
  }
  return result;
}

}  // namespace wattcast
