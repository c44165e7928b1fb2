#pragma once
// The monitor's end of the marker channel. It makes a private directory (mode 0700, so only this
// user can send markers or read the stop flag) and binds a Unix datagram socket in it; the child
// gets the socket's path in WATTCAST_SOCKET. Datagrams keep each marker whole and let senders
// come and go (fork, restarts) without connections. A file named `stop` in the same directory
// asks training to stop at the end of the current epoch; the helper checks for it. A file named
// `epoch.json` holds the latest finished epoch's energy report, which the helper's epoch_end()
// returns and the framework callbacks log (replaced whole at every epoch).
//
// Bad datagrams are dropped and counted, never fatal: training must not fail because of a marker.
// The kernel queues only net.unix.max_dgram_qlen datagrams (often 10) before senders wait, so
// drain at every monitor tick.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "monitor/marker_message.h"

namespace wattcast {

inline constexpr const char* kMarkerSocketEnv = "WATTCAST_SOCKET";

struct MarkerCounters {
  uint64_t accepted = 0;
  uint64_t malformed = 0;
  uint64_t unsupported_version = 0;
  uint64_t unknown_type = 0;
  uint64_t oversized = 0;

  uint64_t rejected() const { return malformed + unsupported_version + unknown_type + oversized; }
};

class MarkerServer {
 public:
  // `parent_dir` empty: $XDG_RUNTIME_DIR when set and usable, else /tmp.
  static Result<MarkerServer> create(const std::string& parent_dir = "");

  MarkerServer(MarkerServer&& other) noexcept;
  MarkerServer& operator=(MarkerServer&& other) noexcept;
  MarkerServer(const MarkerServer&) = delete;
  MarkerServer& operator=(const MarkerServer&) = delete;
  // Removes the socket, the stop file and the directory.
  ~MarkerServer();

  const std::string& directory() const { return directory_; }
  const std::string& socket_path() const { return socket_path_; }  // the value for WATTCAST_SOCKET
  const std::string& stop_file_path() const { return stop_file_path_; }
  // For a caller that multiplexes several descriptors; readable means drain() has work.
  int descriptor() const { return socket_fd_; }

  // Every marker already queued, in arrival order; never blocks.
  Result<std::vector<Marker>> drain();
  // Waits up to `timeout` for the first datagram, then drains.
  Result<std::vector<Marker>> poll(std::chrono::milliseconds timeout);

  // Creates the stop file. Idempotent.
  Status request_stop();
  // Replaces the epoch report (a JSON object) the helper reads after each epoch's end.
  Status publish_epoch_report(const std::string& json);
  bool stop_requested() const;

  const MarkerCounters& counters() const { return counters_; }
  // The most recent rejection, for a one-line warning ("malformed: field 'epoch': ...").
  const std::optional<std::string>& last_rejection() const { return last_rejection_; }

 private:
  MarkerServer() = default;
  void release();

  int socket_fd_ = -1;
  std::string directory_;
  std::string socket_path_;
  std::string stop_file_path_;
  std::string epoch_report_path_;
  MarkerCounters counters_;
  std::optional<std::string> last_rejection_;
};

}  // namespace wattcast
