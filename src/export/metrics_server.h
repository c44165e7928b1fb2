#pragma once
// Serves /metrics over HTTP on a thread of its own (cpp-httplib). The page comes from a callback
// called on the HTTP thread for each scrape; the producers of the figures never wait on it.

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "core/result.h"

namespace wattcast {

struct ListenAddress {
  std::string host = "127.0.0.1";
  int port = 0;  // 0: any free port (tests)

  // "127.0.0.1:9464", "[::1]:9464"
  std::string text() const;
  // Not the loopback interface: reachable from other machines.
  bool is_public() const;
};

// "[ADDR:]PORT": "9464", "0.0.0.0:9464", "[::]:9464". Without an address, 127.0.0.1. `flag`
// names the option in the error.
Result<ListenAddress> parse_listen_address(std::string_view spec, std::string_view flag);

class MetricsServer {
 public:
  using RenderPage = std::function<std::string()>;

  // Binds before returning, so a port in use or a bad address is an error here, before any
  // work starts. Then answers GET /metrics with `render()` until destroyed.
  static Result<std::unique_ptr<MetricsServer>> start(const ListenAddress& address, RenderPage render);
  ~MetricsServer();
  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;

  // The address actually bound (the port filled in when 0 was asked for).
  const ListenAddress& address() const { return address_; }

 private:
  struct Impl;
  MetricsServer(ListenAddress address, std::unique_ptr<Impl> impl);
  ListenAddress address_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace wattcast
