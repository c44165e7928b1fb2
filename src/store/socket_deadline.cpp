#include "store/socket_deadline.h"

#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>

#include <functional>

namespace wattcast {

namespace {

// Started with every signal blocked, so a signal meant for the process (the monitor's SIGTERM)
// never lands in this thread, whatever the creator had blocked when it opened the store.
std::thread thread_without_signals(std::function<void()> body) {
  sigset_t all, before;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &before);
  std::thread thread(std::move(body));
  pthread_sigmask(SIG_SETMASK, &before, nullptr);
  return thread;
}

}  // namespace

SocketDeadline::SocketDeadline() : watcher_(thread_without_signals([this] { watch(); })) {}

SocketDeadline::~SocketDeadline() {
  {
    const std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  watcher_.join();
}

void SocketDeadline::arm(int socket, std::chrono::milliseconds limit) {
  {
    const std::lock_guard<std::mutex> lock(mutex_);
    socket_ = socket;
    deadline_ = std::chrono::steady_clock::now() + limit;
    fired_ = false;
  }
  changed_.notify_all();
}

bool SocketDeadline::disarm() {
  const std::lock_guard<std::mutex> lock(mutex_);
  deadline_.reset();
  socket_ = -1;
  return fired_;
}

void SocketDeadline::watch() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (!stopping_) {
    if (!deadline_) {
      changed_.wait(lock);
      continue;
    }
    const auto deadline = *deadline_;
    // Woken early when disarmed, re-armed or stopped; the loop looks again.
    if (changed_.wait_until(lock, deadline) == std::cv_status::no_timeout) continue;
    if (deadline_ == deadline && socket_ >= 0) {
      ::shutdown(socket_, SHUT_RDWR);
      fired_ = true;
      deadline_.reset();
    }
  }
}

}  // namespace wattcast
