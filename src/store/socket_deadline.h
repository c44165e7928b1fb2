#pragma once
// Cuts a database connection off when one call on it takes too long. A server that is up but
// does not answer (its processes stopped, its host frozen) keeps the TCP connection alive: the
// kernel still acknowledges, so keepalives and tcp_user_timeout never fire and libpq waits
// forever. A watchdog thread shuts the socket down at the deadline (shutdown(2), not close: the
// descriptor stays the connection's), which wakes the blocked call with a lost connection.

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>

namespace wattcast {

class SocketDeadline {
 public:
  SocketDeadline();
  ~SocketDeadline();
  SocketDeadline(const SocketDeadline&) = delete;
  SocketDeadline& operator=(const SocketDeadline&) = delete;

  // Until disarm(): `socket` is shut down once `limit` has passed. The caller keeps the socket
  // open until it has disarmed.
  void arm(int socket, std::chrono::milliseconds limit);
  // Whether the deadline passed (and the socket was shut down) before this call.
  bool disarm();

 private:
  void watch();

  std::mutex mutex_;
  std::condition_variable changed_;
  int socket_ = -1;
  std::optional<std::chrono::steady_clock::time_point> deadline_;
  bool fired_ = false;
  bool stopping_ = false;
  std::thread watcher_;  // last: started once the members above exist
};

}  // namespace wattcast
