#include "monitor/marker_server.h"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <utility>
#include <variant>

#include "core/output_file.h"

namespace wattcast {

namespace {

constexpr const char* kSocketName = "marker.sock";
constexpr const char* kStopFileName = "stop";
constexpr const char* kEpochReportFileName = "epoch.json";

std::string errno_text() { return std::strerror(errno); }

bool is_usable_directory(const char* path) {
  struct stat info {};
  return path != nullptr && path[0] == '/' && ::stat(path, &info) == 0 && S_ISDIR(info.st_mode) &&
         ::access(path, W_OK | X_OK) == 0;
}

// "<parent>/wattcast-XXXXXX/marker.sock" must fit in sockaddr_un::sun_path with its NUL.
bool socket_path_fits(const std::string& parent) {
  constexpr size_t kSuffix = std::char_traits<char>::length("/wattcast-XXXXXX/") + std::char_traits<char>::length(kSocketName);
  return parent.size() + kSuffix < sizeof(sockaddr_un::sun_path);
}

Result<std::string> choose_parent_directory(const std::string& requested) {
  if (!requested.empty()) {
    if (!socket_path_fits(requested)) {
      return Error{"marker socket directory '" + requested + "' is too long for a Unix socket path"};
    }
    return requested;
  }
  // The per-user runtime directory is private and cleaned at logout; /tmp is the fallback.
  const char* runtime_dir = std::getenv("XDG_RUNTIME_DIR");
  if (is_usable_directory(runtime_dir) && socket_path_fits(runtime_dir)) return std::string(runtime_dir);
  return std::string("/tmp");
}

double realtime_now_s() {
  timespec now{};
  ::clock_gettime(CLOCK_REALTIME, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) * 1e-9;
}

// The kernel's time stamp of when the datagram was queued (SO_TIMESTAMPNS), which is when the
// marker was sent, however late the monitor drains; the monitor's clock now if there is none.
double send_time_s(msghdr& header) {
  for (cmsghdr* control = CMSG_FIRSTHDR(&header); control != nullptr; control = CMSG_NXTHDR(&header, control)) {
    if (control->cmsg_level == SOL_SOCKET && control->cmsg_type == SCM_TIMESTAMPNS) {
      timespec stamp{};
      std::memcpy(&stamp, CMSG_DATA(control), sizeof(stamp));
      if (stamp.tv_sec != 0 || stamp.tv_nsec != 0) {
        return static_cast<double>(stamp.tv_sec) + static_cast<double>(stamp.tv_nsec) * 1e-9;
      }
    }
  }
  return realtime_now_s();
}

// Whether a datagram socket at `path` has a process behind it: connecting to one whose owner
// died is refused.
bool socket_is_served(const std::string& path) {
  const int probe = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (probe < 0) return true;  // cannot tell: leave it
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (path.size() >= sizeof(address.sun_path)) {
    ::close(probe);
    return true;
  }
  std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
  const bool refused = ::connect(probe, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) != 0 && errno == ECONNREFUSED;
  ::close(probe);
  return !refused;
}

// The marker directories of this user's monitors that died without cleaning up (SIGKILL): the
// socket is there, but nobody serves it. Only what a monitor makes is removed; a directory with
// anything else in it stays.
void remove_stale_directories(const std::string& parent) {
  DIR* dir = ::opendir(parent.c_str());
  if (dir == nullptr) return;
  while (const dirent* entry = ::readdir(dir)) {
    const std::string name = entry->d_name;
    if (name.size() != std::char_traits<char>::length("wattcast-XXXXXX") || name.rfind("wattcast-", 0) != 0) continue;
    const std::string path = parent + "/" + name;
    struct stat info {};
    if (::lstat(path.c_str(), &info) != 0 || !S_ISDIR(info.st_mode) || info.st_uid != ::getuid()) continue;
    const std::string socket_path = path + "/" + kSocketName;
    if (::lstat(socket_path.c_str(), &info) != 0 || !S_ISSOCK(info.st_mode) || socket_is_served(socket_path)) continue;
    ::unlink(socket_path.c_str());
    ::unlink((path + "/" + kStopFileName).c_str());
    ::rmdir(path.c_str());
  }
  ::closedir(dir);
}

}  // namespace

Result<MarkerServer> MarkerServer::create(const std::string& parent_dir) {
  auto parent = choose_parent_directory(parent_dir);
  if (!parent) return parent.error();
  remove_stale_directories(*parent);

  MarkerServer server;  // from here on, its destructor removes whatever was made
  std::string pattern = *parent + "/wattcast-XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr) {
    return Error{"cannot create the marker directory in " + *parent + ": " + errno_text()};
  }
  server.directory_ = pattern;
  // mkdtemp's 0700 is narrowed by the umask, never widened; make it exactly 0700.
  if (::chmod(server.directory_.c_str(), 0700) != 0) {
    return Error{"cannot make " + server.directory_ + " private: " + errno_text()};
  }
  server.stop_file_path_ = server.directory_ + "/" + kStopFileName;
  server.epoch_report_path_ = server.directory_ + "/" + kEpochReportFileName;

  server.socket_fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (server.socket_fd_ < 0) return Error{"cannot create the marker socket: " + errno_text()};
  // Best effort: without kernel time stamps, markers are stamped when drained.
  int enable = 1;
  ::setsockopt(server.socket_fd_, SOL_SOCKET, SO_TIMESTAMPNS, &enable, sizeof(enable));

  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::string socket_path = server.directory_ + "/" + kSocketName;
  std::memcpy(address.sun_path, socket_path.c_str(), socket_path.size() + 1);
  if (::bind(server.socket_fd_, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) != 0) {
    return Error{"cannot bind the marker socket " + socket_path + ": " + errno_text()};
  }
  server.socket_path_ = socket_path;
  return server;
}

MarkerServer::MarkerServer(MarkerServer&& other) noexcept { *this = std::move(other); }

MarkerServer& MarkerServer::operator=(MarkerServer&& other) noexcept {
  if (this == &other) return *this;
  release();
  socket_fd_ = std::exchange(other.socket_fd_, -1);
  directory_ = std::exchange(other.directory_, {});
  socket_path_ = std::exchange(other.socket_path_, {});
  stop_file_path_ = std::exchange(other.stop_file_path_, {});
  epoch_report_path_ = std::exchange(other.epoch_report_path_, {});
  counters_ = std::exchange(other.counters_, {});
  last_rejection_ = std::exchange(other.last_rejection_, {});
  return *this;
}

MarkerServer::~MarkerServer() { release(); }

void MarkerServer::release() {
  if (socket_fd_ >= 0) ::close(socket_fd_);
  socket_fd_ = -1;
  // Only what this server made: a directory someone else put files in is left alone.
  if (!socket_path_.empty()) ::unlink(socket_path_.c_str());
  if (!stop_file_path_.empty()) ::unlink(stop_file_path_.c_str());
  if (!epoch_report_path_.empty()) ::unlink(epoch_report_path_.c_str());
  if (!directory_.empty()) ::rmdir(directory_.c_str());
  socket_path_.clear();
  stop_file_path_.clear();
  epoch_report_path_.clear();
  directory_.clear();
}

Result<std::vector<Marker>> MarkerServer::drain() {
  std::vector<Marker> markers;
  if (socket_fd_ < 0) return Error{"the marker socket is closed"};
  std::vector<char> buffer(kMaxMarkerBytes);
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(timespec))];
  for (;;) {
    iovec data{buffer.data(), buffer.size()};
    msghdr header{};
    header.msg_iov = &data;
    header.msg_iovlen = 1;
    header.msg_control = control;
    header.msg_controllen = sizeof(control);
    // MSG_TRUNC: the datagram's real length, so an oversized one is recognised, not cut.
    ssize_t length = ::recvmsg(socket_fd_, &header, MSG_DONTWAIT | MSG_TRUNC);
    if (length < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      return Error{"cannot read the marker socket " + socket_path_ + ": " + errno_text()};
    }
    const double sent_at_s = send_time_s(header);
    std::variant<Marker, RejectedMarker> parsed =
        (static_cast<size_t>(length) > buffer.size() || (header.msg_flags & MSG_TRUNC) != 0)
            ? std::variant<Marker, RejectedMarker>(
                  RejectedMarker{MarkerRejection::kOversized, std::to_string(length) + " bytes"})
            : parse_marker_message(std::string_view(buffer.data(), static_cast<size_t>(length)), sent_at_s);

    if (auto* marker = std::get_if<Marker>(&parsed)) {
      ++counters_.accepted;
      markers.push_back(std::move(*marker));
      continue;
    }
    const auto& rejected = std::get<RejectedMarker>(parsed);
    switch (rejected.reason) {
      case MarkerRejection::kMalformed: ++counters_.malformed; break;
      case MarkerRejection::kUnsupportedVersion: ++counters_.unsupported_version; break;
      case MarkerRejection::kUnknownType: ++counters_.unknown_type; break;
      case MarkerRejection::kOversized: ++counters_.oversized; break;
    }
    last_rejection_ = std::string(marker_rejection_name(rejected.reason)) + ": " + rejected.detail;
  }
  return markers;
}

Result<std::vector<Marker>> MarkerServer::poll(std::chrono::milliseconds timeout) {
  if (socket_fd_ < 0) return Error{"the marker socket is closed"};
  pollfd wait_for{socket_fd_, POLLIN, 0};
  // EINTR (a signal for the supervisor) just ends the wait early.
  if (::poll(&wait_for, 1, static_cast<int>(timeout.count())) < 0 && errno != EINTR) {
    return Error{"cannot wait on the marker socket: " + errno_text()};
  }
  return drain();
}

Status MarkerServer::request_stop() {
  if (stop_file_path_.empty()) return Error{"the marker directory is gone"};
  int fd = ::open(stop_file_path_.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return Error{"cannot create the stop file " + stop_file_path_ + ": " + errno_text()};
  ::close(fd);
  return ok_status();
}

Status MarkerServer::publish_epoch_report(const std::string& json) {
  if (epoch_report_path_.empty()) return Error{"the marker directory is gone"};
  // Renamed into place: the helper never reads half a report.
  return write_output_file(epoch_report_path_, json);
}

bool MarkerServer::stop_requested() const {
  return !stop_file_path_.empty() && ::access(stop_file_path_.c_str(), F_OK) == 0;
}

}  // namespace wattcast
