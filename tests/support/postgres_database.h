#pragma once
// A database of its own for the running test, on the test binary's shared server.

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <string>

#include "support/postgres_server.h"

namespace wattcast::testing {

// The shared server, or a failed test saying why it could not start (never a skip: the server
// binaries come with scripts/install-deps.sh).
inline PostgresServer* require_postgres_server() {
  std::string why;
  PostgresServer* server = shared_postgres_server(&why);
  if (!server) ADD_FAILURE() << "no PostgreSQL server for the tests: " << why;
  return server;
}

// Named after the test (and its parameter), so a leftover is easy to trace. Empty on failure.
inline std::string fresh_postgres_database(PostgresServer& server) {
  static int counter = 0;
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string name = std::to_string(++counter);
  name.insert(name.begin(), 't');
  name += "_";
  name += info ? info->name() : "db";
  std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::isalnum(c) ? std::tolower(c) : '_'; });
  name = name.substr(0, 60);
  auto created = server.create_database(name);
  if (!created) {
    ADD_FAILURE() << created.error().message;
    return "";
  }
  return *created;
}

// Stops the server for one test, and brings it back however the test ends.
class ServerOutage {
 public:
  explicit ServerOutage(PostgresServer& server) : server_(server) { server_.stop(); }
  ~ServerOutage() { end(); }
  void end() {
    if (!server_.running()) {
      auto started = server_.start_again();
      EXPECT_TRUE(started.ok()) << started.error().message;
    }
  }

 private:
  PostgresServer& server_;
};

}  // namespace wattcast::testing
