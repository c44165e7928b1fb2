#include "cluster/node_rendezvous.h"

#include <gtest/gtest.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

namespace wattcast {
namespace {

namespace fs = std::filesystem;

class NodeRendezvousTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // Short: the node socket's path must fit a Unix socket address.
    runtime_ = fs::temp_directory_path() / ("wct-rdv-" + std::to_string(getpid()) + "-" + std::to_string(++count_));
    fs::remove_all(runtime_);
    fs::create_directories(runtime_);
  }
  void TearDown() override { fs::remove_all(runtime_); }

  RendezvousOptions options(int timeout_ms = 10000) const { return {runtime_.string(), std::chrono::milliseconds(timeout_ms)}; }
  NodeRole join(const std::string& host, int rank, int timeout_ms = 10000) {
    auto role = join_node("slurm:1.0", host, RankHello{rank, rank, getpid()}, options(timeout_ms));
    EXPECT_TRUE(role.ok()) << (role.ok() ? "" : role.error().message);
    return role.ok() ? std::move(role).value() : NodeRole{};
  }

  fs::path runtime_;
  static inline int count_ = 0;
};

// Events arrive from the leader's thread: wait for `count` of them, bounded.
std::vector<RankEvent> wait_for_events(NodeLeader& leader, size_t count) {
  std::vector<RankEvent> events;
  for (int i = 0; i < 500 && events.size() < count; ++i) {
    for (auto& e : leader.take_events()) events.push_back(e);
    if (events.size() < count) poll(nullptr, 0, 10);
  }
  return events;
}

TEST_F(NodeRendezvousTest, FirstRankLeadsTheOthersAttach) {
  NodeRole first = join("node-a", 0);
  ASSERT_TRUE(first.leader);
  ASSERT_TRUE(first.leader->start(17, "0,1").ok());
  NodeRole second = join("node-a", 1);
  ASSERT_TRUE(second.member);
  EXPECT_EQ(second.member->node_run_id(), 17);
  EXPECT_EQ(second.member->leader_pid(), getpid());
  EXPECT_EQ(second.member->node_gpus(), "0,1");
  NodeRole other_host = join("node-b", 2);
  EXPECT_TRUE(other_host.leader);

  auto events = wait_for_events(*first.leader, 1);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, RankEventKind::kAttached);
  EXPECT_EQ(events[0].rank.rank, 1);
  EXPECT_EQ(first.leader->attached().size(), 1u);

  EXPECT_TRUE(second.member->detach(3));
  events = wait_for_events(*first.leader, 1);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, RankEventKind::kDetached);
  EXPECT_EQ(events[0].exit_code, 3);
  EXPECT_TRUE(first.leader->attached().empty());

  struct stat st {};
  ASSERT_EQ(stat(first.leader->directory().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
}

TEST_F(NodeRendezvousTest, ARankThatDiesWithoutDetachingIsLost) {
  NodeRole leader = join("node-a", 0);
  ASSERT_TRUE(leader.leader->start(1, "*").ok());
  NodeRole member = join("node-a", 1);
  ASSERT_TRUE(member.member);
  member.member.reset();  // its descriptor closes, as when the process is killed
  auto events = wait_for_events(*leader.leader, 2);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1].kind, RankEventKind::kLost);
  EXPECT_FALSE(events[1].exit_code.has_value());
}

TEST_F(NodeRendezvousTest, LeaderWaitsForAttachedRanksThenRefusesNewOnesUntilReleased) {
  NodeRole leader = join("node-a", 0);
  ASSERT_TRUE(leader.leader->start(1, "*").ok());
  NodeRole member = join("node-a", 1);
  ASSERT_TRUE(member.member);
  leader.leader->finish_when_alone();
  pollfd done{leader.leader->done_descriptor(), POLLIN, 0};
  EXPECT_EQ(poll(&done, 1, 0), 0);
  EXPECT_FALSE(leader.leader->done());
  EXPECT_TRUE(member.member->leader_alive());

  ASSERT_TRUE(member.member->detach(0));
  ASSERT_EQ(poll(&done, 1, 10000), 1);
  EXPECT_TRUE(leader.leader->done());

  // Ending, not yet released: a late rank can neither attach nor lead.
  auto late = join_node("slurm:1.0", "node-a", RankHello{2, 2, getpid()}, options(200));
  EXPECT_FALSE(late.ok());
  leader.leader->release();
  NodeRole next = join("node-a", 2);
  EXPECT_TRUE(next.leader);
}

TEST_F(NodeRendezvousTest, MemberNoticesItsLeaderEnding) {
  NodeRole leader = join("node-a", 0);
  ASSERT_TRUE(leader.leader->start(1, "*").ok());
  NodeRole member = join("node-a", 1);
  ASSERT_TRUE(member.member);
  leader.leader.reset();
  EXPECT_FALSE(member.member->leader_alive());
  EXPECT_FALSE(member.member->detach(0));
}

TEST_F(NodeRendezvousTest, DirectoryOfAnotherModeIsRefused) {
  const fs::path base = runtime_ / ("wattcast-" + std::to_string(geteuid()));
  fs::create_directories(base);
  chmod(base.c_str(), 0755);
  auto role = join_node("j", "h", RankHello{0, 0, getpid()}, options());
  ASSERT_FALSE(role.ok());
  EXPECT_NE(role.error().message.find("not a private directory"), std::string::npos) << role.error().message;
}

TEST_F(NodeRendezvousTest, DirectoriesDifferByJobAndHost) {
  auto a = rendezvous_directory("slurm:1.0", "node-a", runtime_.string());
  auto b = rendezvous_directory("slurm:1.0", "node-b", runtime_.string());
  auto c = rendezvous_directory("slurm:1.1", "node-a", runtime_.string());
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  EXPECT_NE(*a, *b);
  EXPECT_NE(*a, *c);
  EXPECT_EQ(*a, *rendezvous_directory("slurm:1.0", "node-a", runtime_.string()));
}

}  // namespace
}  // namespace wattcast
