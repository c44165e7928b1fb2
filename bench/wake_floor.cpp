// The floor for any monitor that wakes at a fixed interval on this machine: a program that does
// nothing but sleep to absolute deadlines (clock_nanosleep), so bench/monitor_overhead.py can
// show how much of a monitor's CPU is the kernel waking it and how much its own work.
//
// usage: wake_floor INTERVAL_MS COMMAND ARGS...   (wakes until COMMAND ends, like a monitor)

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <time.h>

#include <cstdlib>

extern char** environ;

int main(int argc, char** argv) {
  if (argc < 3) return 2;
  const long interval_ns = std::atol(argv[1]) * 1000000L;
  pid_t child = 0;
  if (posix_spawnp(&child, argv[2], nullptr, nullptr, argv + 2, environ) != 0) return 127;
  timespec deadline{};
  clock_gettime(CLOCK_MONOTONIC, &deadline);
  int status = 0;
  while (waitpid(child, &status, WNOHANG) == 0) {
    deadline.tv_nsec += interval_ns;
    while (deadline.tv_nsec >= 1000000000L) deadline.tv_nsec -= 1000000000L, ++deadline.tv_sec;
    clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &deadline, nullptr);
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
