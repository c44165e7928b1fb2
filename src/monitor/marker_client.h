#pragma once
// The C++ way to mark epochs and phases from training code, the counterpart of the Python
// helper (python/wattcast): under `wattcast measure` each call sends one datagram to the
// monitor's socket (WATTCAST_SOCKET); anywhere else every call does nothing and costs nothing.
// A marker never fails training: if the monitor is gone or busy, it is dropped.
//
//   wattcast::MarkerClient markers = wattcast::MarkerClient::from_environment();
//   for (int epoch = 1; epoch <= epochs; ++epoch) {
//     markers.epoch_begin(epoch);
//     train_one_epoch();
//     { auto validation = markers.phase("validation"); validate(); }
//     markers.epoch_end(epoch, {{"val_f1", f1}});
//   }
//
// GPU work is asynchronous: synchronize your device (cudaDeviceSynchronize) before a marker
// so it is stamped when the work before it has finished.

#include <nlohmann/json_fwd.hpp>

#include <map>
#include <optional>
#include <string>
#include <utility>

namespace wattcast {

class MarkerClient {
 public:
  // Enabled when WATTCAST_SOCKET is set.
  static MarkerClient from_environment();
  explicit MarkerClient(std::optional<std::string> socket_path);
  ~MarkerClient();
  MarkerClient(MarkerClient&& other) noexcept;
  MarkerClient& operator=(MarkerClient&& other) noexcept;
  MarkerClient(const MarkerClient&) = delete;
  MarkerClient& operator=(const MarkerClient&) = delete;

  bool enabled() const { return socket_fd_ >= 0; }
  void epoch_begin(int epoch);
  void epoch_end(int epoch, const std::map<std::string, double>& metrics = {});
  void phase_begin(const std::string& name);
  void phase_end(const std::string& name);

  // Ends its phase when it goes out of scope.
  class Phase {
   public:
    Phase(MarkerClient& client, std::string name) : client_(&client), name_(std::move(name)) { client_->phase_begin(name_); }
    ~Phase() {
      if (client_) client_->phase_end(name_);
    }
    Phase(Phase&& other) noexcept : client_(std::exchange(other.client_, nullptr)), name_(std::move(other.name_)) {}
    Phase(const Phase&) = delete;
    Phase& operator=(const Phase&) = delete;
    Phase& operator=(Phase&&) = delete;

   private:
    MarkerClient* client_;
    std::string name_;
  };
  [[nodiscard]] Phase phase(const std::string& name) { return Phase(*this, name); }

  // True once the monitor asks training to stop (an energy budget, for example): check it at
  // the end of an epoch and stop cleanly.
  bool should_stop() const;

 private:
  void send(const nlohmann::json& marker);

  int socket_fd_ = -1;
  std::string socket_path_;
  std::string stop_file_path_;
};

}  // namespace wattcast
