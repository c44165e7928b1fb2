// A node monitor records the ranks that come and go as markers, and their list in the run's tags.
// Both go to the store through the sampler's writer thread, as epoch markers do, so a store that
// does not answer never holds up the thread that supervises the command (issue 15, item 2).

#include "session/job_session.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>

#include "store/sqlite_store.h"
#include "support/eventually.h"
#include "support/refusing_store.h"

namespace wattcast {
namespace {

namespace fs = std::filesystem;

// Sets an environment variable for one test, and puts it back however the test ends.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const std::string& value) : name_(name) {
    if (const char* before = std::getenv(name)) before_ = before;
    ::setenv(name, value.c_str(), 1);
  }
  ~ScopedEnv() {
    if (before_) {
      ::setenv(name_, before_->c_str(), 1);
    } else {
      ::unsetenv(name_);
    }
  }

 private:
  const char* name_;
  std::optional<std::string> before_;
};

TEST(JobSessionTest, RankMarkersAndTagsNeverWaitForTheStore) {
  // Short: the node's socket path must fit a Unix socket address.
  const fs::path runtime = fs::temp_directory_path() / ("wcj-" + std::to_string(::getpid()));
  fs::remove_all(runtime);
  fs::create_directories(runtime);
  const ScopedEnv runtime_dir("XDG_RUNTIME_DIR", runtime.string());
  const ScopedEnv host("WATTCAST_HOST", "node-t");
  const std::string job = "rank-markers-" + std::to_string(::getpid());
  auto joined = JobSession::join(job, std::string("-"));
  ASSERT_TRUE(joined.ok()) << joined.error().message;
  JobSession& session = joined.value();
  ASSERT_TRUE(session.in_job() && session.samples_node());

  auto sqlite = std::move(open_sqlite_store((runtime / "runs.db").string())).value();
  testing::RefusingStore store(*sqlite);
  const int64_t run_id = *store.begin_run(RunRecord{});
  SamplerOptions options;
  options.flush_interval = std::chrono::milliseconds(10);
  Sampler sampler({}, store, options);
  session.started(sampler, run_id, session.tags());
  sampler.start();

  store.hold();
  {
    auto rank = join_node(job, "node-t", RankHello{1, 1, ::getpid()}, RendezvousOptions{});
    ASSERT_TRUE(rank.ok()) << rank.error().message;
    ASSERT_NE(rank->member, nullptr);
  }  // gone without detaching: the node monitor says so
  // Each tick hands the ranks' markers over and returns, though the store hangs.
  ASSERT_TRUE(testing::eventually([&] {
    for (const auto& message : session.tick()) {
      if (message.find("rank 1 on node-t ended without detaching") != std::string::npos) return true;
    }
    return false;
  }));
  ASSERT_TRUE(testing::eventually([&] { return store.waiting.load(); }));  // the writer thread waits, alone
  EXPECT_TRUE(store.markers(run_id)->empty());
  store.release();
  ASSERT_TRUE(sampler.stop().ok());
  session.release();

  const auto markers = *store.markers(run_id);
  ASSERT_EQ(markers.size(), 2u);
  EXPECT_EQ(markers[0].type, "rank_attach");
  EXPECT_EQ(markers[1].type, "rank_lost");
  EXPECT_EQ(markers[0].metrics.at("rank"), 1);
  EXPECT_EQ(store.run(run_id)->tags.at("ranks"), "1");
  fs::remove_all(runtime);
}

}  // namespace
}  // namespace wattcast
