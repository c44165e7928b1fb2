#include "monitor/marker_client.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "monitor/marker_message.h"
#include "monitor/marker_server.h"

namespace wattcast {

namespace {

double unix_now_s() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

nlohmann::json message(const char* type) {
  return {{"v", kMarkerProtocolVersion}, {"type", type}, {"t", unix_now_s()}, {"pid", static_cast<long long>(getpid())}};
}

}  // namespace

MarkerClient MarkerClient::from_environment() {
  const char* path = std::getenv(kMarkerSocketEnv);
  return MarkerClient(path && *path ? std::optional<std::string>(path) : std::nullopt);
}

MarkerClient::MarkerClient(std::optional<std::string> socket_path) {
  if (!socket_path || socket_path->size() >= sizeof(sockaddr_un{}.sun_path)) return;
  socket_fd_ = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (socket_fd_ < 0) return;
  socket_path_ = *socket_path;
  stop_file_path_ = (std::filesystem::path(socket_path_).parent_path() / "stop").string();
}

MarkerClient::~MarkerClient() {
  if (socket_fd_ >= 0) close(socket_fd_);
}

MarkerClient::MarkerClient(MarkerClient&& other) noexcept
    : socket_fd_(std::exchange(other.socket_fd_, -1)),
      socket_path_(std::move(other.socket_path_)),
      stop_file_path_(std::move(other.stop_file_path_)) {}

MarkerClient& MarkerClient::operator=(MarkerClient&& other) noexcept {
  if (this != &other) {
    if (socket_fd_ >= 0) close(socket_fd_);
    socket_fd_ = std::exchange(other.socket_fd_, -1);
    socket_path_ = std::move(other.socket_path_);
    stop_file_path_ = std::move(other.stop_file_path_);
  }
  return *this;
}

void MarkerClient::send(const nlohmann::json& marker) {
  // Invalid UTF-8 in a name is replaced rather than thrown: a marker must never break training.
  const std::string json = marker.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  if (socket_fd_ < 0 || json.size() > kMaxMarkerBytes) return;
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::memcpy(address.sun_path, socket_path_.c_str(), socket_path_.size());
  // Non-blocking: a full queue or a vanished monitor drops the marker instead of stalling training.
  (void)sendto(socket_fd_, json.data(), json.size(), MSG_NOSIGNAL, reinterpret_cast<const sockaddr*>(&address), sizeof address);
}

void MarkerClient::epoch_begin(int epoch) {
  if (!enabled()) return;
  auto m = message("epoch_begin");
  m["epoch"] = epoch;
  send(m);
}

void MarkerClient::epoch_end(int epoch, const std::map<std::string, double>& metrics) {
  if (!enabled()) return;
  auto m = message("epoch_end");
  m["epoch"] = epoch;
  nlohmann::json values = nlohmann::json::object();
  for (const auto& [name, value] : metrics) values[name] = std::isfinite(value) ? nlohmann::json(value) : nlohmann::json();
  m["metrics"] = values;
  send(m);
}

void MarkerClient::phase_begin(const std::string& name) {
  if (!enabled()) return;
  auto m = message("phase_begin");
  m["name"] = name;
  send(m);
}

void MarkerClient::phase_end(const std::string& name) {
  if (!enabled()) return;
  auto m = message("phase_end");
  m["name"] = name;
  send(m);
}

bool MarkerClient::should_stop() const { return enabled() && access(stop_file_path_.c_str(), F_OK) == 0; }

}  // namespace wattcast
