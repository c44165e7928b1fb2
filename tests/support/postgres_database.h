#pragma once
// A database of its own for the running test, on the test binary's shared server.

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <pqxx/pqxx>
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

// Another session holding tables locked (LOCK TABLE ... IN ACCESS EXCLUSIVE MODE), as a person
// running a migration or a long report would: every statement on them waits until release() or
// the end of the test.
class TableLock {
 public:
  TableLock(const std::string& url, const std::string& tables) : connection_(url), transaction_(connection_) {
    transaction_.exec("LOCK TABLE " + tables + " IN ACCESS EXCLUSIVE MODE");
  }
  void release() {
    if (!released_) transaction_.commit();
    released_ = true;
  }

 private:
  pqxx::connection connection_;
  pqxx::work transaction_;
  bool released_ = false;
};

// How many sessions of the database at `url` wait for a lock: for a test to know that a
// statement it started in another thread is waiting.
inline int lock_waiters(const std::string& url) {
  pqxx::connection connection(url);
  pqxx::work tx(connection);
  return tx.exec1("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'")[0].as<int>();
}

// Freezes the server (SIGSTOP) for one test, and thaws it however the test ends.
class ServerFreeze {
 public:
  explicit ServerFreeze(PostgresServer& server) : server_(server) { server_.freeze(); }
  ~ServerFreeze() { end(); }
  void end() { server_.thaw(); }

 private:
  PostgresServer& server_;
};

}  // namespace wattcast::testing
