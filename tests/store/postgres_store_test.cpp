// What only the PostgreSQL back end has: a server to reach, credentials, many writers starting
// together, and replays after a lost connection.

#include "store/postgres_store.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <latch>
#include <pqxx/pqxx>
#include <thread>

#include "store/open_store.h"
#include "support/free_port.h"
#include "support/postgres_database.h"

namespace wattcast {
namespace {

using testing::PostgresServer;
using testing::ServerOutage;


bool one_line(const std::string& text) { return text.find('\n') == std::string::npos && !text.empty(); }

TEST(PostgresUrlTest, PasswordsAreMasked) {
  EXPECT_EQ(mask_password("postgresql://alice:pa:ss@db.example:5432/runs"), "postgresql://alice:***@db.example:5432/runs");
  EXPECT_EQ(mask_password("postgres://alice@db/runs?password=secret&sslmode=require"), "postgres://alice@db/runs?password=***&sslmode=require");
  EXPECT_EQ(mask_password("postgresql://alice:x@db/runs?password=y"), "postgresql://alice:***@db/runs?password=***");
  EXPECT_EQ(mask_password("postgresql:///runs?host=/tmp&port=5"), "postgresql:///runs?host=/tmp&port=5");
  EXPECT_EQ(mask_password("postgresql://db:5432/runs?application_name=a@b"), "postgresql://db:5432/runs?application_name=a@b");
  EXPECT_TRUE(is_postgres_url("postgres://db/runs"));
  EXPECT_TRUE(is_postgres_url("postgresql://db/runs"));
  EXPECT_FALSE(is_postgres_url("runs.db"));
  EXPECT_FALSE(is_postgres_url("/data/postgresql://x"));
}

class PostgresStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = testing::require_postgres_server();
    ASSERT_NE(server_, nullptr);
    database_ = testing::fresh_postgres_database(*server_);
    ASSERT_FALSE(database_.empty());
  }
  PostgresServer* server_ = nullptr;
  std::string database_;
};

TEST_F(PostgresStoreTest, PasswordOverTcpIsChecked) {
  auto right = open_store(server_->tcp_url(database_));
  EXPECT_TRUE(right.ok()) << right.error().message;

  auto wrong = open_store(server_->tcp_url(database_, "not-the-password"));
  ASSERT_FALSE(wrong.ok());
  const std::string& message = wrong.error().message;
  EXPECT_TRUE(one_line(message)) << message;
  EXPECT_EQ(message.find("not-the-password"), std::string::npos) << message;
  EXPECT_EQ(message.rfind("postgresql://wattcast:***@127.0.0.1:" + std::to_string(server_->port()) + "/" + database_, 0), 0u) << message;
  EXPECT_NE(message.find("password authentication failed"), std::string::npos) << message;
}

TEST_F(PostgresStoreTest, UnreachableServerIsAOneLineError) {
  const std::string url = "postgresql://wattcast:hidden@127.0.0.1:" + std::to_string(testing::free_loopback_port()) + "/runs";
  auto store = open_store(url);
  ASSERT_FALSE(store.ok());
  const std::string& message = store.error().message;
  EXPECT_TRUE(one_line(message)) << message;
  EXPECT_EQ(message.find("hidden"), std::string::npos) << message;
  EXPECT_NE(message.find("cannot connect"), std::string::npos) << message;

  auto no_database = open_store(server_->socket_url("no_such_database"));
  ASSERT_FALSE(no_database.ok());
  EXPECT_NE(no_database.error().message.find("no_such_database"), std::string::npos) << no_database.error().message;
}

// Monitors started together by a job scheduler all find an empty database and create the schema.
TEST_F(PostgresStoreTest, MonitorsStartingTogetherCreateTheSchemaOnce) {
  constexpr int kMonitors = 8;
  std::latch start(kMonitors);
  std::vector<std::string> errors(kMonitors);
  std::vector<std::thread> monitors;
  for (int i = 0; i < kMonitors; ++i) {
    monitors.emplace_back([&, i] {
      start.arrive_and_wait();
      auto store = open_store(server_->socket_url(database_));
      if (!store) {
        errors[i] = store.error().message;
        return;
      }
      if (auto run = (*store)->begin_run(RunRecord{}); !run) errors[i] = run.error().message;
    });
  }
  for (auto& m : monitors) m.join();
  for (const auto& e : errors) EXPECT_EQ(e, "");
  pqxx::connection connection(server_->socket_url(database_));
  pqxx::work tx(connection);
  EXPECT_EQ(tx.exec1("SELECT count(*) FROM wattcast_schema")[0].as<int>(), 1);
  EXPECT_EQ(tx.exec1("SELECT count(DISTINCT id) FROM runs")[0].as<int>(), kMonitors);
}

// A batch whose commit reached the server but whose acknowledgement did not is replayed from
// the spool: it must not be stored twice, nor refused as a duplicate.
TEST_F(PostgresStoreTest, ReplayingABatchAlreadyStoredKeepsOneCopy) {
  auto store = std::move(open_postgres_store(server_->socket_url(database_))).value();
  const int64_t run_id = *store->begin_run(RunRecord{});
  const int64_t device = *store->add_device(run_id, "replay", DeviceInfo{});
  Reading r;
  r.power_w = 7;
  const std::vector<SampleRecord> batch = {{device, 0, 1, r}, {device, 1, 2, r}};
  const std::vector<MarkerRecord> markers = {{run_id, 1.5, "epoch_end", 1, "", {{"loss", 0.5}}, "python"}};
  ASSERT_TRUE(store->append_samples(batch).ok());
  ASSERT_TRUE(store->append_markers(markers).ok());
  EXPECT_TRUE(store->replay_samples(batch).ok());
  EXPECT_TRUE(store->replay_markers(markers).ok());
  EXPECT_EQ(store->samples(run_id)->size(), 2u);
  EXPECT_EQ(store->markers(run_id)->size(), 1u);
  // A batch not stored yet is stored by the replay.
  EXPECT_TRUE(store->replay_samples({{device, 2, 3, r}}).ok());
  EXPECT_EQ(store->samples(run_id)->size(), 3u);
  EXPECT_FALSE(store->append_samples(batch).ok());  // a plain append still refuses duplicates
  EXPECT_FALSE(store->connection_lost());
}

TEST_F(PostgresStoreTest, LostServerIsTellableFromRefusedDataAndComesBack) {
  auto store = std::move(open_postgres_store(server_->socket_url(database_))).value();
  const int64_t run_id = *store->begin_run(RunRecord{});
  const int64_t device = *store->add_device(run_id, "replay", DeviceInfo{});
  Reading r;
  r.power_w = 1;
  ASSERT_TRUE(store->append_samples({{device, 0, 1, r}}).ok());
  EXPECT_FALSE(store->append_samples({{device, 0, 1, r}}).ok());
  EXPECT_FALSE(store->connection_lost());  // a duplicate is the data's fault
  {
    ServerOutage outage(*server_);
    const Status written = store->append_samples({{device, 1, 2, r}});
    ASSERT_FALSE(written.ok());
    EXPECT_TRUE(store->connection_lost());
    EXPECT_TRUE(one_line(written.error().message)) << written.error().message;
    EXPECT_FALSE(store->reconnect().ok());
    EXPECT_TRUE(store->connection_lost());
    outage.end();
    ASSERT_TRUE(store->reconnect().ok());
  }
  EXPECT_FALSE(store->connection_lost());
  EXPECT_TRUE(store->append_samples({{device, 1, 2, r}}).ok());
  EXPECT_EQ(store->samples(run_id)->size(), 2u);
}

}  // namespace
}  // namespace wattcast
