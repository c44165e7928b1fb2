// The HTTP side: addresses, a real GET /metrics on a free port, and a port already taken.

#include "export/metrics_server.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <vector>

#include "export/prometheus_text.h"

namespace wattcast {
namespace {

TEST(ListenAddressTest, PortAloneMeansLoopback) {
  auto parsed = parse_listen_address("9464", "--prometheus");
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(parsed->host, "127.0.0.1");
  EXPECT_EQ(parsed->port, 9464);
  EXPECT_FALSE(parsed->is_public());
}

TEST(ListenAddressTest, AddressesAreKeptAsGiven) {
  EXPECT_EQ(parse_listen_address("0.0.0.0:9100", "--listen")->text(), "0.0.0.0:9100");
  EXPECT_TRUE(parse_listen_address("0.0.0.0:9100", "--listen")->is_public());
  EXPECT_EQ(parse_listen_address("[::1]:9100", "--listen")->text(), "[::1]:9100");
  EXPECT_FALSE(parse_listen_address("[::1]:9100", "--listen")->is_public());
  EXPECT_TRUE(parse_listen_address("[::]:9100", "--listen")->is_public());
  EXPECT_FALSE(parse_listen_address("localhost:9100", "--listen")->is_public());
  EXPECT_FALSE(parse_listen_address("127.0.0.2:9100", "--listen")->is_public());
}

TEST(ListenAddressTest, BadSpecsNameTheFlagAndTheValue) {
  for (const char* spec : {"", "abc", "70000", "-1", "1.2.3.4:", ":9464", "1.2.3:9464", "::1:9464", "[::1]9464", "host.example:9464", "9464x"}) {
    auto parsed = parse_listen_address(spec, "--prometheus");
    ASSERT_FALSE(parsed.ok()) << spec;
    EXPECT_NE(parsed.error().message.find("--prometheus"), std::string::npos) << parsed.error().message;
    EXPECT_NE(parsed.error().message.find(std::string("'") + spec + "'"), std::string::npos) << parsed.error().message;
  }
}

std::unique_ptr<MetricsServer> serve(const std::string& page, std::atomic<int>* scrapes = nullptr) {
  auto server = MetricsServer::start(ListenAddress{"127.0.0.1", 0}, [page, scrapes] {
    if (scrapes) ++*scrapes;
    return page;
  });
  if (!server) ADD_FAILURE() << server.error().message;
  return server ? std::move(server).value() : nullptr;
}

TEST(MetricsServerTest, ServesThePageWithTheExpositionContentType) {
  std::atomic<int> scrapes{0};
  auto server = serve("wattcast_up 1\n", &scrapes);
  ASSERT_TRUE(server);
  EXPECT_GT(server->address().port, 0);
  httplib::Client client("127.0.0.1", server->address().port);
  for (int i = 0; i < 3; ++i) {
    auto response = client.Get("/metrics");
    ASSERT_TRUE(response) << httplib::to_string(response.error());
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(response->body, "wattcast_up 1\n");
    EXPECT_EQ(response->get_header_value("Content-Type"), kPrometheusContentType);
  }
  EXPECT_EQ(scrapes, 3);  // rendered per scrape, not cached
  auto missing = client.Get("/nothing");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
}

TEST(MetricsServerTest, APortInUseIsAnErrorNamingTheAddress) {
  auto first = serve("a\n");
  ASSERT_TRUE(first);
  auto second = MetricsServer::start(first->address(), [] { return std::string("b\n"); });
  ASSERT_FALSE(second.ok());
  EXPECT_NE(second.error().message.find(first->address().text()), std::string::npos) << second.error().message;
  EXPECT_NE(second.error().message.find("in use"), std::string::npos) << second.error().message;
  // The first server still answers alone.
  httplib::Client client("127.0.0.1", first->address().port);
  for (int i = 0; i < 4; ++i) {
    auto response = client.Get("/metrics");
    ASSERT_TRUE(response);
    EXPECT_EQ(response->body, "a\n");
  }
}

TEST(MetricsServerTest, AnAddressNotOnThisMachineIsAnError) {
  // TEST-NET-1 (RFC 5737): never assigned to a local interface.
  auto server = MetricsServer::start(ListenAddress{"192.0.2.1", 0}, [] { return std::string(); });
  ASSERT_FALSE(server.ok());
  EXPECT_NE(server.error().message.find("192.0.2.1:0"), std::string::npos) << server.error().message;
}

// A connection that sent half a request and went quiet (a slow client, a scanner).
int idle_connection(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
    ::close(fd);
    return -1;
  }
  const char partial[] = "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  (void)!::write(fd, partial, sizeof partial - 1);
  return fd;
}

// Whether the server still holds the connection open (it has neither answered nor closed it).
bool still_open(int fd) {
  char byte;
  return ::recv(fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT) < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

// 100 idle clients: a scrape is answered while all of them are still waiting, so it waited for
// none of their timeouts. (The time it takes is in BENCHMARKS.md; the client's 30 s read timeout
// is only a guard against a hang.)
TEST(MetricsServerTest, IdleClientsDoNotHoldUpAScrape) {
  auto server = serve("x 1\n");
  ASSERT_TRUE(server);
  std::vector<int> idle;
  for (int i = 0; i < 100; ++i) {
    const int fd = idle_connection(server->address().port);
    ASSERT_GE(fd, 0);
    idle.push_back(fd);
  }
  httplib::Client client("127.0.0.1", server->address().port);
  client.set_read_timeout(std::chrono::seconds(30));
  auto response = client.Get("/metrics");
  ASSERT_TRUE(response) << httplib::to_string(response.error());
  EXPECT_EQ(response->body, "x 1\n");
  int open = 0;
  for (const int fd : idle) open += still_open(fd) ? 1 : 0;
  EXPECT_EQ(open, 100);
  for (const int fd : idle) ::close(fd);
}

TEST(MetricsServerTest, StopsAtOnceEvenWithAKeptAliveConnection) {
  auto server = serve("x 1\n");
  ASSERT_TRUE(server);
  httplib::Client client("127.0.0.1", server->address().port);
  client.set_keep_alive(true);
  ASSERT_TRUE(client.Get("/metrics"));
  server.reset();  // must return: the test's own timeout catches a hang
  auto after = client.Get("/metrics");
  EXPECT_FALSE(after);
}

}  // namespace
}  // namespace wattcast
