// The database goes away in the middle of a run: no sample may be lost, none stored twice.

#include "store/spooling_store.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <pqxx/pqxx>
#include <sstream>
#include <thread>

#include "store/postgres_store.h"
#include "support/eventually.h"
#include "support/postgres_database.h"

namespace wattcast {
namespace {

namespace fs = std::filesystem;
using testing::PostgresServer;
using testing::ServerFreeze;
using testing::ServerOutage;
using testing::TableLock;

std::string read_text(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

size_t count_of(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

std::vector<fs::path> files_in(const fs::path& dir) {
  std::vector<fs::path> out;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) out.push_back(entry.path());
  return out;
}


class SpoolingStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = testing::require_postgres_server();
    ASSERT_NE(server_, nullptr);
    database_ = testing::fresh_postgres_database(*server_);
    ASSERT_FALSE(database_.empty());
    url_ = server_->socket_url(database_);
    dir_ = fs::temp_directory_path() / ("wattcast_spool_" + std::to_string(::getpid()) + "_" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::unique_ptr<SpoolingStore> open_spooling(std::optional<std::chrono::milliseconds> write_timeout = std::nullopt) {
    auto remote = open_postgres_store(url_, write_timeout);
    EXPECT_TRUE(remote.ok()) << remote.error().message;
    if (!remote) return nullptr;
    SpoolOptions options;
    options.dir = (dir_ / "spool").string();
    options.first_retry = std::chrono::milliseconds(0);  // every write tries the server again
    return std::make_unique<SpoolingStore>(std::move(remote).value(), options);
  }

  static std::vector<SampleRecord> batch(int64_t device, int64_t first_tick, int ticks) {
    std::vector<SampleRecord> out;
    for (int64_t t = first_tick; t < first_tick + ticks; ++t) {
      Reading r;
      r.power_w = 100 + t;
      r.energy_j = 0.5 * t;
      out.push_back({device, t, 1000.0 + 0.1 * t, r});
    }
    return out;
  }

  // Every tick 0..ticks-1 once, with the figures written.
  static void expect_every_tick_once(RunStore& store, int64_t run_id, int64_t ticks) {
    const auto samples = *store.samples(run_id);
    ASSERT_EQ(samples.size(), static_cast<size_t>(ticks));
    for (int64_t t = 0; t < ticks; ++t) {
      EXPECT_EQ(samples[t].tick, t);
      EXPECT_EQ(samples[t].reading.power_w, 100.0 + t);
      EXPECT_EQ(samples[t].reading.energy_j, 0.5 * t);
    }
  }

  PostgresServer* server_ = nullptr;
  std::string database_, url_;
  fs::path dir_;
};

TEST_F(SpoolingStoreTest, WritesDuringAnOutageAreSpooledThenDeliveredInOrder) {
  auto store = open_spooling();
  ASSERT_NE(store, nullptr);
  const int64_t run_id = *store->begin_run(RunRecord{});
  const int64_t device = *store->add_device(run_id, "replay", DeviceInfo{});
  ASSERT_TRUE(store->append_samples(batch(device, 0, 10)).ok());
  EXPECT_TRUE(store->take_notices().empty());
  {
    ServerOutage outage(*server_);
    for (int b = 1; b < 4; ++b) EXPECT_TRUE(store->append_samples(batch(device, 10 * b, 10)).ok());
    EXPECT_TRUE(store->append_markers({{run_id, 1002.5, "epoch_end", 1, "", {{"acc", 0.75}}, "python"}}).ok());
    EXPECT_TRUE(store->finish_run(run_id, 1004, 0, "exited").ok());
    const auto notices = store->take_notices();
    ASSERT_EQ(notices.size(), 1u);  // once, not once per batch
    const auto spools = files_in(dir_ / "spool");
    ASSERT_EQ(spools.size(), 1u);
    EXPECT_NE(notices[0].find(spools[0].string()), std::string::npos) << notices[0];
    EXPECT_EQ(store->deliver_spool(), spools[0].string());  // still down
  }
  // The next write finds the server back: it joins the spool, which is delivered in order.
  ASSERT_TRUE(store->append_samples(batch(device, 40, 10)).ok());
  const auto notices = store->take_notices();
  ASSERT_EQ(notices.size(), 1u);
  EXPECT_NE(notices[0].find("delivered 6 spooled writes"), std::string::npos) << notices[0];
  EXPECT_TRUE(files_in(dir_ / "spool").empty());
  EXPECT_EQ(store->deliver_spool(), std::nullopt);

  auto reader = std::move(open_postgres_store(url_)).value();
  expect_every_tick_once(*reader, run_id, 50);
  const RunRecord run = *reader->run(run_id);
  EXPECT_EQ(run.end_reason, "exited");
  ASSERT_EQ(reader->markers(run_id)->size(), 1u);
  EXPECT_EQ(reader->markers(run_id)->front().metrics.at("acc"), 0.75);
}

// The monitor's bound: short, so the tests wait little.
constexpr std::chrono::milliseconds kBound{200};

// Another session holds the tables locked for a while: each write comes back within the bound,
// into the spool, and once the lock is gone the run has exactly the rows it has when nothing
// was locked.
TEST_F(SpoolingStoreTest, WritesKeptWaitingByLockedTablesAreSpooledThenDeliveredWhole) {
  auto store = open_spooling(kBound);
  ASSERT_NE(store, nullptr);
  auto write_run = [&](bool locked) {
    const int64_t run_id = *store->begin_run(RunRecord{});
    const int64_t device = *store->add_device(run_id, "replay", DeviceInfo{});
    EXPECT_TRUE(store->append_samples(batch(device, 0, 10)).ok());
    std::optional<TableLock> lock;
    if (locked) lock.emplace(url_, "markers, samples");
    EXPECT_TRUE(store->append_samples(batch(device, 10, 10)).ok());
    EXPECT_TRUE(store->append_markers({{run_id, 1001.5, "epoch_end", 1, "", {{"acc", 0.75}}, "python"}}).ok());
    EXPECT_TRUE(store->append_samples(batch(device, 20, 10)).ok());
    if (locked) {
      const auto notices = store->take_notices();
      EXPECT_EQ(notices.size(), 1u);
      for (const auto& n : notices) EXPECT_NE(n.find("did not answer within 0.2 s (append samples)"), std::string::npos) << n;
      EXPECT_EQ(files_in(dir_ / "spool").size(), 1u);
      lock->release();
    }
    EXPECT_TRUE(store->append_samples(batch(device, 30, 10)).ok());
    EXPECT_TRUE(store->finish_run(run_id, 1004, 0, "exited").ok());
    return run_id;
  };
  const int64_t plain = write_run(false);
  EXPECT_TRUE(store->take_notices().empty());
  const int64_t locked = write_run(true);
  const auto notices = store->take_notices();
  ASSERT_EQ(notices.size(), 1u);
  EXPECT_NE(notices[0].find("answers again; delivered 4 spooled writes"), std::string::npos) << notices[0];
  EXPECT_TRUE(files_in(dir_ / "spool").empty());

  auto reader = std::move(open_postgres_store(url_)).value();
  expect_every_tick_once(*reader, locked, 40);
  const auto plain_samples = *reader->samples(plain), locked_samples = *reader->samples(locked);
  ASSERT_EQ(plain_samples.size(), locked_samples.size());
  for (size_t i = 0; i < plain_samples.size(); ++i) {
    EXPECT_EQ(plain_samples[i].tick, locked_samples[i].tick);
    EXPECT_EQ(plain_samples[i].t_s, locked_samples[i].t_s);
    EXPECT_EQ(plain_samples[i].reading.power_w, locked_samples[i].reading.power_w);
    EXPECT_EQ(plain_samples[i].reading.energy_j, locked_samples[i].reading.energy_j);
  }
  auto plain_markers = *reader->markers(plain), locked_markers = *reader->markers(locked);
  ASSERT_EQ(plain_markers.size(), 1u);
  ASSERT_EQ(locked_markers.size(), 1u);
  EXPECT_EQ(locked_markers[0].t_s, plain_markers[0].t_s);
  EXPECT_EQ(locked_markers[0].metrics, plain_markers[0].metrics);
  EXPECT_EQ(reader->run(locked)->end_reason, reader->run(plain)->end_reason);
  EXPECT_EQ(reader->run(locked)->exit_code, reader->run(plain)->exit_code);
}

// A stopped server: the write in progress is cut off after the bound and spooled with the next
// ones; once the server runs again, the spool is delivered and nothing is there twice.
TEST_F(SpoolingStoreTest, WritesToAFrozenServerAreSpooledThenDelivered) {
  auto store = open_spooling(kBound);
  ASSERT_NE(store, nullptr);
  const int64_t run_id = *store->begin_run(RunRecord{});
  const int64_t device = *store->add_device(run_id, "replay", DeviceInfo{});
  ASSERT_TRUE(store->append_samples(batch(device, 0, 10)).ok());
  {
    ServerFreeze freeze(*server_);
    EXPECT_TRUE(store->append_samples(batch(device, 10, 10)).ok());
    EXPECT_TRUE(store->append_markers({{run_id, 1001.5, "epoch_end", 1, "", {}, "python"}}).ok());
    const auto notices = store->take_notices();
    ASSERT_EQ(notices.size(), 1u);
    EXPECT_NE(notices[0].find("did not answer within 0.2 s (append samples)"), std::string::npos) << notices[0];
  }
  ASSERT_TRUE(store->append_samples(batch(device, 20, 10)).ok());
  const auto notices = store->take_notices();
  ASSERT_EQ(notices.size(), 1u);
  EXPECT_NE(notices[0].find("answers again; delivered 3 spooled writes"), std::string::npos) << notices[0];
  auto reader = std::move(open_postgres_store(url_)).value();
  expect_every_tick_once(*reader, run_id, 30);
  EXPECT_EQ(reader->markers(run_id)->size(), 1u);
}

// The monitor's supervising thread asks for notices while the writer thread's write waits on
// the server: it gets them at once.
TEST_F(SpoolingStoreTest, NoticesAreTakenWhileAWriteWaits) {
  auto store = open_spooling();
  ASSERT_NE(store, nullptr);
  const int64_t run_id = *store->begin_run(RunRecord{});
  const int64_t device = *store->add_device(run_id, "replay", DeviceInfo{});
  TableLock lock(url_, "samples");
  Status written = Error{"not run"};
  std::thread write([&] { written = store->append_samples(batch(device, 0, 2)); });
  const bool waits = testing::eventually([&] { return testing::lock_waiters(url_) == 1; });
  const auto notices = store->take_notices();  // before the fix: waited for the lock
  lock.release();
  write.join();
  ASSERT_TRUE(waits);
  EXPECT_TRUE(notices.empty());
  EXPECT_TRUE(written.ok()) << written.error().message;
}

TEST_F(SpoolingStoreTest, RefusedDataIsAnErrorNotASpool) {
  auto store = open_spooling();
  ASSERT_NE(store, nullptr);
  const int64_t run_id = *store->begin_run(RunRecord{});
  const int64_t device = *store->add_device(run_id, "replay", DeviceInfo{});
  ASSERT_TRUE(store->append_samples(batch(device, 0, 2)).ok());
  EXPECT_FALSE(store->append_samples(batch(device, 1, 2)).ok());
  EXPECT_TRUE(files_in(dir_ / "spool").empty());
}

// A spool left behind (the server was still away when the monitor ended) is delivered later by
// `wattcast store replay-spool`; delivering it twice stores nothing twice.
TEST_F(SpoolingStoreTest, LeftoverSpoolIsDeliveredByTheReplayCommand) {
  int64_t run_id = 0;
  std::string spool;
  {
    auto store = open_spooling();
    ASSERT_NE(store, nullptr);
    run_id = *store->begin_run(RunRecord{});
    const int64_t device = *store->add_device(run_id, "replay", DeviceInfo{});
    ASSERT_TRUE(store->append_samples(batch(device, 0, 5)).ok());
    ServerOutage outage(*server_);
    ASSERT_TRUE(store->append_samples(batch(device, 5, 5)).ok());
    ASSERT_TRUE(store->finish_run(run_id, 1002, 3, "exited").ok());
    const auto left = store->deliver_spool();
    ASSERT_TRUE(left.has_value());
    spool = *left;
  }
  ASSERT_TRUE(fs::exists(spool));
  fs::copy_file(spool, dir_ / "copy.spool");
  const std::string log = (dir_ / "replay.log").string();
  auto replay = [&](const std::string& file, const std::string& url) {
    const std::string command = std::string(WATTCAST_BIN) + " store replay-spool " + file + " --store '" + url + "' >" + log + " 2>&1";
    const int status = std::system(command.c_str());
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  };
  EXPECT_EQ(replay(spool, server_->socket_url("postgres")), 2);  // another database: refused
  EXPECT_NE(read_text(log).find("spooled for " + url_), std::string::npos) << read_text(log);
  ASSERT_EQ(replay(spool, url_), 0) << read_text(log);
  EXPECT_NE(read_text(log).find("delivered 2 writes of run " + std::to_string(run_id)), std::string::npos) << read_text(log);
  EXPECT_FALSE(fs::exists(spool));
  ASSERT_EQ(replay((dir_ / "copy.spool").string(), url_), 0) << read_text(log);

  auto reader = std::move(open_postgres_store(url_)).value();
  expect_every_tick_once(*reader, run_id, 10);
  EXPECT_EQ(reader->run(run_id)->exit_code, 3);

  std::ofstream(dir_ / "bad.spool") << R"({"wattcast_spool":1,"store":"x","run_id":1})" << "\n{\"samples\":[[1,2]]}\n";
  EXPECT_EQ(replay((dir_ / "bad.spool").string(), url_), 2);
  EXPECT_NE(read_text(log).find("bad.spool:2:"), std::string::npos) << read_text(log);
}

// `wattcast measure --store URL` on a replayed trace of two GPUs, sampling every 20 ms, whose
// command runs until the test creates the file `go`; its stderr goes to `err`. Killed if the
// test ends first.
class BackgroundMeasure {
 public:
  BackgroundMeasure(const fs::path& dir, const std::string& url, const std::string& flags = "") : go_(dir / "go"), err_(dir / "measure.err") {
    std::ofstream(dir / "trace.csv") << "t_s,device,power_w\n0,gpu0,100\n0.2,gpu1,200\n";
    const std::string command = "XDG_STATE_HOME=" + dir.string() + " exec " + WATTCAST_BIN + " measure --replay " +
                                (dir / "trace.csv").string() + " --interval-ms 20 " + flags + " --store '" + url + "' -- sh -c 'while [ ! -e " +
                                go_.string() + " ]; do sleep 0.05; done' >/dev/null 2>" + err_.string() + " </dev/null";
    pid_ = ::fork();
    if (pid_ == 0) {
      ::prctl(PR_SET_PDEATHSIG, SIGTERM);  // a crashed test leaves no monitor behind
      ::execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
  }
  ~BackgroundMeasure() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  bool started() const { return pid_ > 0; }
  std::string err() const { return read_text(err_); }
  bool said(const std::string& what) const { return err().find(what) != std::string::npos; }
  // Lets the command end; the monitor's exit code, or -1 if it did not end in time.
  int finish() {
    std::ofstream(go_).close();
    int status = 0;
    if (!testing::eventually([&] { return ::waitpid(pid_, &status, WNOHANG) == pid_; })) return -1;
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

 private:
  fs::path go_, err_;
  pid_t pid_ = -1;
};

int64_t stored_samples(const std::string& url) {
  try {
    pqxx::connection connection(url);
    pqxx::work tx(connection);
    return tx.exec1("SELECT count(*) FROM samples")[0].as<int64_t>();
  } catch (const std::exception&) {
    return -1;
  }
}

// The one run in the store ended normally, and each of its GPUs has every tick once, in order.
void expect_one_whole_run(const std::string& url) {
  auto reader = std::move(open_postgres_store(url)).value();
  const auto runs = *reader->runs();
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0].end_reason, "exited");
  const auto devices = *reader->devices(runs[0].id);
  const auto samples = *reader->samples(runs[0].id);
  std::map<int64_t, std::vector<int64_t>> ticks;
  for (const auto& s : samples) ticks[s.device_id].push_back(s.tick);
  size_t gpus = 0;
  for (const auto& d : devices) {
    if (d.info.kind != "gpu") continue;
    ++gpus;
    const auto& seen = ticks[d.id];
    ASSERT_GT(seen.size(), 50u) << "a run of seconds at 20 ms";
    for (size_t i = 0; i < seen.size(); ++i) ASSERT_EQ(seen[i], static_cast<int64_t>(i));
  }
  EXPECT_EQ(gpus, 2u);
}

// The whole path, as a user meets it: the server dies and comes back while the command runs.
TEST_F(SpoolingStoreTest, MeasureLosesNoTickWhenTheServerRestartsMidRun) {
  BackgroundMeasure measure(dir_, url_);
  ASSERT_TRUE(measure.started());
  ASSERT_TRUE(testing::eventually([&] { return stored_samples(url_) > 0; })) << measure.err();
  {
    ServerOutage outage(*server_);
    ASSERT_TRUE(testing::eventually([&] { return measure.said("keeping this run's writes in"); })) << measure.err();
  }
  ASSERT_TRUE(testing::eventually([&] { return measure.said("spooled writes"); })) << measure.err();
  EXPECT_EQ(measure.finish(), 0) << measure.err();
  EXPECT_EQ(count_of(measure.err(), "keeping this run's writes in"), 1u) << measure.err();
  EXPECT_TRUE(files_in(dir_ / "wattcast" / "spool").empty());
  expect_one_whole_run(url_);
}

// Another session holds the run's tables locked mid-run: measure says once that the server
// does not answer, goes on into the spool, and delivers it once the lock is gone.
TEST_F(SpoolingStoreTest, MeasureGoesOnWhileItsTablesAreLocked) {
  BackgroundMeasure measure(dir_, url_, "--store-timeout-s 0.5");
  ASSERT_TRUE(measure.started());
  ASSERT_TRUE(testing::eventually([&] { return stored_samples(url_) > 0; })) << measure.err();
  {
    TableLock lock(url_, "markers, samples");
    ASSERT_TRUE(testing::eventually([&] { return measure.said("did not answer within 0.5 s"); })) << measure.err();
  }
  ASSERT_TRUE(testing::eventually([&] { return measure.said("spooled writes"); })) << measure.err();
  EXPECT_EQ(measure.finish(), 0) << measure.err();
  EXPECT_EQ(count_of(measure.err(), "did not answer"), 1u) << measure.err();
  EXPECT_TRUE(files_in(dir_ / "wattcast" / "spool").empty());
  expect_one_whole_run(url_);
}

// The command ends while the server is still away: measure names the spool and the command that
// delivers it, which then leaves the run whole.
TEST_F(SpoolingStoreTest, MeasureEndingDuringAnOutageLeavesASpoolToReplay) {
  BackgroundMeasure measure(dir_, url_);
  ASSERT_TRUE(measure.started());
  ASSERT_TRUE(testing::eventually([&] { return stored_samples(url_) > 0; })) << measure.err();
  ServerOutage outage(*server_);
  ASSERT_TRUE(testing::eventually([&] { return measure.said("keeping this run's writes in"); })) << measure.err();
  EXPECT_EQ(measure.finish(), 0) << measure.err();
  const std::string err = measure.err();
  const std::string hint = "deliver them with: ";
  const size_t at = err.find(hint);
  ASSERT_NE(at, std::string::npos) << err;
  const std::string replay = err.substr(at + hint.size(), err.find('\n', at) - at - hint.size());
  const std::string prefix = "wattcast store replay-spool ";
  ASSERT_EQ(replay.rfind(prefix, 0), 0u) << replay;
  const std::string spool = replay.substr(prefix.size(), replay.find(" --store") - prefix.size());
  EXPECT_TRUE(fs::exists(spool)) << spool;
  EXPECT_EQ(fs::path(spool).parent_path(), dir_ / "wattcast" / "spool");

  outage.end();
  const std::string command = std::string(WATTCAST_BIN) + replay.substr(std::string("wattcast").size()) + " >/dev/null 2>&1";
  const int status = std::system(command.c_str());
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << command;
  EXPECT_FALSE(fs::exists(spool));
  expect_one_whole_run(url_);
}

TEST_F(SpoolingStoreTest, MeasureRefusesToStartWithoutItsServer) {
  const fs::path ran = dir_ / "ran";
  const std::string url = "postgresql://wattcast:topsecret@127.0.0.1:1/none";
  const std::string log = (dir_ / "measure.log").string();
  const std::string command = std::string(WATTCAST_BIN) + " measure --store '" + url + "' -- touch " + ran.string() + " >" + log + " 2>&1";
  const int status = std::system(command.c_str());
  EXPECT_EQ(WIFEXITED(status) ? WEXITSTATUS(status) : -1, 2);
  const std::string output = read_text(log);
  EXPECT_EQ(count_of(output, "\n"), 1u) << output;
  EXPECT_NE(output.find("postgresql://wattcast:***@127.0.0.1:1/none: cannot connect"), std::string::npos) << output;
  EXPECT_EQ(output.find("topsecret"), std::string::npos);
  EXPECT_FALSE(fs::exists(ran));
}

}  // namespace
}  // namespace wattcast
