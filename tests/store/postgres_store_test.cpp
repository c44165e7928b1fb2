// What only the PostgreSQL back end has: a server to reach, credentials, many writers starting
// together, and replays after a lost connection.

#include "store/postgres_store.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <latch>
#include <pqxx/pqxx>
#include <thread>

#include "store/open_store.h"
#include "support/eventually.h"
#include "support/free_port.h"
#include "support/postgres_database.h"

namespace wattcast {
namespace {

using testing::PostgresServer;
using testing::ServerFreeze;
using testing::ServerOutage;
using testing::TableLock;


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

// The monitor's bound: short, so the tests wait little.
constexpr std::chrono::milliseconds kBound{200};

// A server that is up but keeps a write waiting (another session holds the table locked): a
// bounded store gives the write up as it would on a server it cannot reach, so the monitor
// spools it.
TEST_F(PostgresStoreTest, AWriteKeptWaitingByALockFailsAsOnAServerThatDoesNotAnswer) {
  const std::string url = server_->socket_url(database_);
  auto store = std::move(open_postgres_store(url, kBound)).value();
  const int64_t run_id = *store->begin_run(RunRecord{});
  const std::vector<MarkerRecord> markers = {{run_id, 1.5, "epoch_end", 1, "", {}, "python"}};
  TableLock lock(url, "markers, samples");
  const Status written = store->append_markers(markers);
  ASSERT_FALSE(written.ok());
  EXPECT_TRUE(store->connection_lost());
  const std::string& message = written.error().message;
  EXPECT_TRUE(one_line(message)) << message;
  EXPECT_NE(message.find("did not answer within 0.2 s (append markers)"), std::string::npos) << message;
  lock.release();
  ASSERT_TRUE(store->reconnect().ok());
  EXPECT_FALSE(store->connection_lost());
  ASSERT_TRUE(store->append_markers(markers).ok());
  EXPECT_EQ(store->markers(run_id)->size(), 1u);
}

// A stopped server answers nothing, not even the cancel statement_timeout asks of it, while its
// kernel keeps the connection alive: the store cuts the connection off and says so.
TEST_F(PostgresStoreTest, AFrozenServerIsGivenUpAfterTheBound) {
  auto store = std::move(open_postgres_store(server_->socket_url(database_), kBound)).value();
  const int64_t run_id = *store->begin_run(RunRecord{});
  const int64_t device = *store->add_device(run_id, "frozen", DeviceInfo{});
  Reading r;
  r.power_w = 3;
  const std::vector<SampleRecord> batch = {{device, 0, 1, r}, {device, 1, 2, r}};
  {
    ServerFreeze freeze(*server_);
    const Status written = store->append_samples(batch);
    ASSERT_FALSE(written.ok());
    EXPECT_TRUE(store->connection_lost());
    EXPECT_NE(written.error().message.find("did not answer within 0.2 s (append samples)"), std::string::npos) << written.error().message;
  }
  ASSERT_TRUE(store->reconnect().ok());
  // Whether or not the thawed server went on with the write it was given: stored once.
  ASSERT_TRUE(store->replay_samples(batch).ok());
  EXPECT_EQ(store->samples(run_id)->size(), 2u);
}

// The write the monitor gave up on may still run in the server when its spool is delivered (a
// stopped server resumes it; a lock wait goes on): the replay waits for its outcome, then stores
// what it did not, so each row is there once.
TEST_F(PostgresStoreTest, AReplayWaitsForTheWriteItGaveUpOnAndStoresEachRowOnce) {
  const std::string url = server_->socket_url(database_);
  auto store = std::move(open_postgres_store(url)).value();
  const int64_t run_id = *store->begin_run(RunRecord{});
  const int64_t device = *store->add_device(run_id, "replay", DeviceInfo{});
  Reading r;
  r.power_w = 7;
  const std::vector<SampleRecord> batch = {{device, 0, 1, r}, {device, 1, 2, r}};
  const std::vector<MarkerRecord> markers = {{run_id, 1.5, "epoch_end", 1, "", {{"loss", 0.5}}, "python"}};

  // Samples: the first write has its rows in, not committed yet.
  pqxx::connection first(url);
  pqxx::work first_samples(first);
  first_samples.exec_params("INSERT INTO samples(device_id, tick, t_s, power_w) VALUES ($1, 0, 1, 7), ($1, 1, 2, 7)", device);
  Status replayed = Error{"not run"};
  std::thread replay([&] { replayed = store->replay_samples(batch); });
  const bool replay_waited = testing::eventually([&] { return testing::lock_waiters(url) == 1; });
  first_samples.commit();
  replay.join();
  ASSERT_TRUE(replay_waited);
  EXPECT_TRUE(replayed.ok()) << replayed.error().message;
  EXPECT_EQ(store->samples(run_id)->size(), 2u);

  // Markers: the first write waits for a lock another session holds on the table.
  auto first_store = std::move(open_postgres_store(url)).value();
  TableLock lock(url, "markers");
  Status first_written = Error{"not run"};
  std::thread first_write([&] { first_written = first_store->append_markers(markers); });
  const bool first_waits = testing::eventually([&] { return testing::lock_waiters(url) == 1; });
  replayed = Error{"not run"};
  std::thread replay_markers([&] { replayed = store->replay_markers(markers); });
  const bool both_wait = testing::eventually([&] { return testing::lock_waiters(url) == 2; });
  lock.release();
  first_write.join();
  replay_markers.join();
  ASSERT_TRUE(first_waits && both_wait);
  EXPECT_TRUE(first_written.ok()) << first_written.error().message;
  EXPECT_TRUE(replayed.ok()) << replayed.error().message;
  EXPECT_EQ(store->markers(run_id)->size(), 1u);
}

}  // namespace
}  // namespace wattcast
