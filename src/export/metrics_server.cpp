#include "export/metrics_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <atomic>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <thread>

#include <httplib.h>

#include "export/prometheus_text.h"

namespace wattcast {

namespace {

// httplib's default sets SO_REUSEPORT, with which a second server on a port already in use binds
// without complaint and the two share the scrapes. SO_REUSEADDR alone still lets a restarted
// exporter take its port back from connections in TIME_WAIT.
void exclusive_socket_options(int sock) {
  int yes = 1;
  setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
}

}  // namespace

std::string ListenAddress::text() const {
  const bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

bool ListenAddress::is_public() const { return host != "localhost" && host.rfind("127.", 0) != 0 && host != "::1"; }

Result<ListenAddress> parse_listen_address(std::string_view spec, std::string_view flag) {
  auto bad = [&](const std::string& why) { return Error{std::string(flag) + ": " + why + ", got '" + std::string(spec) + "'"}; };
  ListenAddress address;
  std::string_view port_text = spec;
  if (!spec.empty() && spec.front() == '[') {
    const size_t close = spec.find("]:");
    if (close == std::string_view::npos) return bad("expected [IPV6]:PORT");
    address.host = std::string(spec.substr(1, close - 1));
    port_text = spec.substr(close + 2);
  } else if (const size_t colon = spec.rfind(':'); colon != std::string_view::npos) {
    address.host = std::string(spec.substr(0, colon));
    port_text = spec.substr(colon + 1);
    if (address.host.find(':') != std::string::npos) return bad("write an IPv6 address in brackets, as [::1]:9464");
  }
  if (address.host.empty()) return bad("expected [ADDR:]PORT");
  int port = -1;
  const auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || end != port_text.data() + port_text.size() || port < 0 || port > 65535) {
    return bad("the port must be a number from 0 to 65535");
  }
  in6_addr scratch{};
  if (address.host != "localhost" && inet_pton(AF_INET, address.host.c_str(), &scratch) != 1 &&
      inet_pton(AF_INET6, address.host.c_str(), &scratch) != 1) {
    return bad("the address must be an IPv4 or IPv6 address (or localhost)");
  }
  address.port = port;
  return address;
}

constexpr size_t kWorkers = 128;
constexpr int kBacklog = 256;

struct MetricsServer::Impl {
  httplib::Server http;
  std::thread thread;
  std::atomic<bool> loop_ended{false};
};

Result<std::unique_ptr<MetricsServer>> MetricsServer::start(const ListenAddress& address, RenderPage render) {
  auto impl = std::make_unique<Impl>();
  // cpp-httplib gives each connection a worker for as long as it lasts: a client that sends half
  // a request and goes quiet holds one until the read timeout. Workers wait on a condition, cost
  // no CPU while idle, and are cheap to keep: with kWorkers, up to kWorkers - 1 slow or idle
  // clients (or a scanner's half-open connections) leave another client's scrape unaffected.
  impl->http.new_task_queue = [] { return new httplib::ThreadPool(kWorkers); };
  int listening = -1;
  impl->http.set_socket_options([&listening](int sock) {
    exclusive_socket_options(sock);
    listening = sock;
  });
  // An idle keep-alive connection (Prometheus keeps one) holds a worker until it times out, and
  // stopping waits for the workers: a short timeout keeps the end of a run prompt.
  impl->http.set_keep_alive_timeout(1);
  // The response goes out in two writes (headers, body): with Nagle's algorithm on, a client that
  // does not set TCP_NODELAY itself (cpp-httplib's own) waited for a delayed ACK, 40 ms a scrape
  // instead of 0.2 ms. Prometheus's Go client sets it and sees 1 ms either way (BENCHMARKS.md).
  impl->http.set_tcp_nodelay(true);
  impl->http.Get("/metrics", [render](const httplib::Request&, httplib::Response& response) {
    response.set_content(render(), kPrometheusContentType);
  });
  impl->http.Get("/", [](const httplib::Request&, httplib::Response& response) {
    response.set_content("<html><body><a href=\"/metrics\">wattcast metrics</a></body></html>\n", "text/html");
  });
  ListenAddress bound = address;
  errno = 0;
  bool ok;
  if (address.port == 0) {
    bound.port = impl->http.bind_to_any_port(address.host);
    ok = bound.port > 0;
  } else {
    ok = impl->http.bind_to_port(address.host, address.port);
  }
  if (!ok) {
    const int error = errno;
    return Error{address.text() + ": cannot listen: " + (error != 0 ? std::strerror(error) : "cannot resolve or bind the address")};
  }
  // Room for connections the accept loop has not taken yet: with cpp-httplib's backlog of 5, a
  // burst of clients (idle ones among them) has the kernel drop SYNs, and a scrape's connect
  // waits a second or more for its retry. Listening again only changes the backlog.
  if (listening >= 0) ::listen(listening, kBacklog);
  Impl* raw = impl.get();
  impl->thread = std::thread([raw] {
    raw->http.listen_after_bind();
    raw->loop_ended = true;
  });
  return std::unique_ptr<MetricsServer>(new MetricsServer(std::move(bound), std::move(impl)));
}

MetricsServer::MetricsServer(ListenAddress address, std::unique_ptr<Impl> impl) : address_(std::move(address)), impl_(std::move(impl)) {}

MetricsServer::~MetricsServer() {
  // stop() before the loop has started would be lost; the loop marks itself running first thing.
  while (!impl_->http.is_running() && !impl_->loop_ended) std::this_thread::yield();
  impl_->http.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

}  // namespace wattcast
