// Several `wattcast measure` processes pretending to be the ranks of one Slurm step on two nodes
// (WATTCAST_HOST), all writing one SQLite store: one node monitor per host samples the devices,
// the other ranks attach, every rank keeps its own exit code and epochs, `show --job` merges.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <thread>

#include <nlohmann/json.hpp>

#include "cli/cli_runner.h"
#include "store/sqlite_store.h"
#include "support/eventually.h"
#include "support/free_port.h"
#include "test_paths.h"

extern char** environ;

namespace wattcast::testing {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;


class MultiNodeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = scratch_dir() / ("multinode_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(dir_);
    // Short: the node socket's path must fit a Unix socket address.
    runtime_ = fs::temp_directory_path() / ("wct-" + std::to_string(getpid()) + "-" + std::to_string(++runtime_count_));
    fs::remove_all(runtime_);
    fs::create_directories(runtime_);
    fs::create_directories(dir_ / "control");
    store_ = (dir_ / "runs.db").string();
    job_ = std::to_string(getpid()) + std::to_string(Clock::now().time_since_epoch().count() % 100000);
    trace_ = write_scratch("multinode_trace.csv", "t_s,device,power_w\n0,gpu0,100\n0.5,gpu0,300\n");
    // Each rank: optionally two epochs first, then wait for its release file, optionally two
    // epochs after, write when its command ends, exit with 10 + rank.
    script_ = write_scratch("rank.py",
                            "import os, sys, time, wattcast\n"
                            "rank = int(os.environ['SLURM_PROCID'])\n"
                            "control, when = sys.argv[1], sys.argv[2]\n"
                            "def epochs():\n"
                            "    for e in (1, 2):\n"
                            "        wattcast.epoch_begin(e)\n"
                            "        wattcast.epoch_end(e, metrics={'loss': rank + e / 10})\n"
                            "if when == 'before': epochs()\n"
                            "deadline = time.time() + 120\n"
                            "while not os.path.exists(os.path.join(control, 'release-%d' % rank)):\n"
                            "    if time.time() > deadline: sys.exit(99)\n"
                            "    time.sleep(0.01)\n"
                            "if when == 'after': epochs()\n"
                            "with open(os.path.join(control, 'ended-%d' % rank), 'w') as f: f.write(repr(time.time()))\n"
                            "sys.exit(10 + rank)\n");
  }

  void TearDown() override {
    for (auto& [rank, pid] : pids_) {
      kill(pid, SIGKILL);
      waitpid(pid, nullptr, 0);
    }
    fs::remove_all(runtime_);
  }

  // Starts rank `rank` of a 4-rank Slurm step on `host` as `wattcast measure`.
  void start_rank(int rank, const std::string& host, const std::string& when, const std::map<std::string, std::string>& extra = {}) {
    std::map<std::string, std::string> env;
    for (char** e = environ; *e; ++e) {
      const std::string entry = *e;
      const auto eq = entry.find('=');
      if (eq != std::string::npos && entry.rfind("SLURM_", 0) != 0 && entry.rfind("OMPI_", 0) != 0 && entry.rfind("PMI", 0) != 0 &&
          entry.rfind("TORCHELASTIC_", 0) != 0 && entry.rfind("CUDA_VISIBLE_DEVICES=", 0) != 0) {
        env[entry.substr(0, eq)] = entry.substr(eq + 1);
      }
    }
    env["SLURM_JOB_ID"] = job_;
    env["SLURM_STEP_ID"] = "0";
    env["SLURM_PROCID"] = std::to_string(rank);
    env["SLURM_LOCALID"] = std::to_string(rank % 2);
    env["SLURM_NTASKS"] = "4";
    env["WATTCAST_HOST"] = host;
    env["XDG_RUNTIME_DIR"] = runtime_.string();
    env["PYTHONPATH"] = source_dir() + "/python";
    for (const auto& [k, v] : extra) env[k] = v;
    std::vector<std::string> env_strings;
    for (const auto& [k, v] : env) env_strings.push_back(k + "=" + v);
    std::vector<std::string> args = {WATTCAST_BIN, "measure", "--interval-ms", "20", "--replay", trace_, "--out", store_};
    args.insert(args.end(), extra_measure_args_.begin(), extra_measure_args_.end());
    args.insert(args.end(), {"--", "python3", script_, (dir_ / "control").string(), when});
    const std::string log = (dir_ / ("rank-" + std::to_string(rank) + ".log")).string();
    const pid_t pid = fork();
    if (pid == 0) {
      const int out = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      dup2(out, STDOUT_FILENO);
      dup2(out, STDERR_FILENO);
      std::vector<char*> argv, envp;
      for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
      for (const auto& e : env_strings) envp.push_back(const_cast<char*>(e.c_str()));
      argv.push_back(nullptr);
      envp.push_back(nullptr);
      execve(argv[0], argv.data(), envp.data());
      _exit(98);
    }
    pids_[rank] = pid;
  }

  // Rank 0 as node-a's monitor, then rank 1 attached to it: back once the monitor has recorded both.
  ::testing::AssertionResult start_node_monitor_and_attached_rank() {
    start_rank(0, "node-a", "none");
    if (!eventually([&] { return job_runs().size() == 1; })) return ::testing::AssertionFailure() << log(0);
    start_rank(1, "node-a", "none");
    if (!eventually([&] {
          const auto runs = job_runs();
          return !runs.empty() && runs[0].tags.count("ranks") && runs[0].tags.at("ranks") == "0,1";
        })) {
      return ::testing::AssertionFailure() << log(0) << log(1);
    }
    return ::testing::AssertionSuccess();
  }

  void release(int rank) { std::ofstream((dir_ / "control" / ("release-" + std::to_string(rank))).string()) << "go"; }

  int wait_rank(int rank) {
    int status = 0;
    EXPECT_EQ(waitpid(pids_[rank], &status, 0), pids_[rank]);
    pids_.erase(rank);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

  std::string log(int rank) const { return read_text((dir_ / ("rank-" + std::to_string(rank) + ".log")).string()); }

  std::vector<RunRecord> job_runs() {
    std::vector<RunRecord> out;
    if (!fs::exists(store_)) return out;
    auto store = open_sqlite_store(store_);
    if (!store) return out;
    auto runs = (*store)->runs();
    if (!runs) return out;
    for (const auto& r : *runs) {
      if (r.tags.count("job") && r.tags.at("job") == "slurm:" + job_ + ".0") out.push_back(r);
    }
    return out;
  }

  std::string job_id() const { return "slurm:" + job_ + ".0"; }

  fs::path dir_, runtime_;
  static inline int runtime_count_ = 0;
  std::string store_, job_, trace_, script_;
  std::vector<std::string> extra_measure_args_;  // given to every rank's `wattcast measure`
  std::map<int, pid_t> pids_;
};

TEST_F(MultiNodeTest, OneNodeMonitorPerHostRanksAttachAndShowMergesTheJob) {
  // The first rank of each host becomes its node monitor.
  start_rank(0, "node-a", "before");
  start_rank(2, "node-b", "before");
  ASSERT_TRUE(eventually([&] { return job_runs().size() == 2; })) << log(0) << log(2);
  start_rank(1, "node-a", "after");
  start_rank(3, "node-b", "after");
  // The node monitors record the ranks as they attach.
  ASSERT_TRUE(eventually([&] {
    std::set<std::string> ranks;
    for (const auto& r : job_runs()) {
      if (r.tags.at("role") == "node") ranks.insert(r.tags.count("ranks") ? r.tags.at("ranks") : "");
    }
    return ranks == std::set<std::string>{"0,1", "2,3"};
  })) << log(0) << log(1);

  // The node monitors' own commands end first; they must keep sampling for ranks 1 and 3.
  release(0);
  release(2);
  ASSERT_TRUE(eventually([&] { return fs::exists(dir_ / "control" / "ended-0") && fs::exists(dir_ / "control" / "ended-2"); }));
  release(1);
  release(3);
  for (int rank = 0; rank < 4; ++rank) EXPECT_EQ(wait_rank(rank), 10 + rank) << log(rank);

  auto opened = open_sqlite_store(store_);
  ASSERT_TRUE(opened.ok());
  RunStore& store = **opened;
  const auto runs = job_runs();
  ASSERT_EQ(runs.size(), 4u);
  std::map<int, RunRecord> by_rank;
  for (const auto& r : runs) by_rank[std::stoi(r.tags.at("rank"))] = r;
  for (int rank = 0; rank < 4; ++rank) {
    const RunRecord& r = by_rank.at(rank);
    EXPECT_EQ(r.exit_code, 10 + rank);
    EXPECT_EQ(r.host, rank < 2 ? "node-a" : "node-b");
    EXPECT_EQ(r.tags.at("role"), rank % 2 == 0 ? "node" : "rank");
    EXPECT_EQ(r.tags.at("world_size"), "4");
    EXPECT_EQ(r.tags.at("local_rank"), std::to_string(rank % 2));
    // The node's devices once per host: the replayed GPU only in the node monitors' runs.
    size_t gpus = 0;
    const auto devices = store.devices(r.id).value();
    for (const auto& d : devices) gpus += d.info.kind == "gpu";
    EXPECT_EQ(gpus, rank % 2 == 0 ? 1u : 0u) << "rank " << rank;
  }
  EXPECT_EQ(by_rank.at(1).tags.at("node_run"), std::to_string(by_rank.at(0).id));
  EXPECT_NE(log(1).find("measured by its node monitor"), std::string::npos) << log(1);

  // Each node monitor sampled until its attached rank's command had ended, long after its own.
  for (const auto& [node, member] : {std::pair{0, 1}, {2, 3}}) {
    const double member_ended_s = std::stod(read_text((dir_ / "control" / ("ended-" + std::to_string(member))).string()));
    EXPECT_GE(*by_rank.at(node).end_s, member_ended_s) << "node monitor of rank " << node << " stopped before rank " << member;
    std::set<std::string> types;
    const auto markers = store.markers(by_rank.at(node).id).value();
    for (const auto& m : markers) types.insert(m.type);
    EXPECT_TRUE(types.count("rank_attach") && types.count("rank_detach")) << "rank " << node;
  }

  auto show = run_cli("show --job " + job_id() + " --format json --store " + store_);
  ASSERT_EQ(show.exit_code, 0) << show.err;
  const auto job = nlohmann::json::parse(show.out);
  double node_energy_j = 0;
  for (int node : {0, 2}) {
    auto one = run_cli("show " + std::to_string(by_rank.at(node).id) + " --format json --store " + store_);
    ASSERT_EQ(one.exit_code, 0) << one.err;
    node_energy_j += nlohmann::json::parse(one.out)["energy_j"].get<double>();
  }
  EXPECT_GT(node_energy_j, 0);
  EXPECT_NEAR(job["energy_j"].get<double>(), node_energy_j, 1e-6 * node_energy_j);
  ASSERT_EQ(job["nodes"].size(), 2u);
  EXPECT_EQ(job["nodes"][0]["host"], "node-a");
  EXPECT_EQ(job["nodes"][0]["ranks"], nlohmann::json::array({0, 1}));
  EXPECT_EQ(job["missing_ranks"].size(), 0u);
  EXPECT_EQ(job["warnings"].size(), 0u) << job["warnings"].dump();

  // Epoch k: from the earliest rank's begin (or epoch k-1's end, if later) to the latest rank's end.
  ASSERT_EQ(job["epochs"].size(), 2u);
  double previous_end_s = 0;
  for (int epoch : {1, 2}) {
    double first_begin_s = 1e300, last_end_s = 0;
    for (const auto& [rank, r] : by_rank) {
      const auto markers = store.markers(r.id).value();
      for (const auto& m : markers) {
        if (m.epoch != epoch) continue;
        if (m.type == "epoch_begin") first_begin_s = std::min(first_begin_s, m.t_s);
        if (m.type == "epoch_end") last_end_s = std::max(last_end_s, m.t_s);
      }
    }
    const auto& e = job["epochs"][epoch - 1];
    EXPECT_EQ(e["epoch"], epoch);
    EXPECT_EQ(e["ranks_reporting"], 4);
    EXPECT_NEAR(e["start_s"].get<double>(), std::max(first_begin_s, previous_end_s), 1e-6);
    EXPECT_NEAR(e["start_s"].get<double>() + e["duration_s"].get<double>(), last_end_s, 1e-6);
    previous_end_s = last_end_s;
    EXPECT_GT(e["energy_j"].get<double>(), 0);
    EXPECT_NEAR(e["metrics"]["loss"].get<double>(), epoch / 10.0, 1e-9);  // rank 0's
  }

  auto text = run_cli("show --job " + job_id() + " --store " + store_);
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("wattcast job " + job_id() + ": 2 nodes, 4 rank runs (world size 4)"), std::string::npos) << text.out;
  auto list = run_cli("runs --store " + store_);
  EXPECT_NE(list.out.find(job_id() + " rank 3"), std::string::npos) << list.out;
  EXPECT_NE(list.out.find(job_id() + " node"), std::string::npos) << list.out;
}

// A rank that arrives after its node's monitor has ended becomes the next node monitor.
TEST_F(MultiNodeTest, LateRankBecomesTheNextNodeMonitor) {
  start_rank(0, "node-a", "none");
  release(0);
  EXPECT_EQ(wait_rank(0), 10) << log(0);
  start_rank(1, "node-a", "none");
  release(1);
  EXPECT_EQ(wait_rank(1), 11) << log(1);
  const auto runs = job_runs();
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(runs[0].tags.at("role"), "node");
  EXPECT_EQ(runs[1].tags.at("role"), "node");
  auto show = run_cli("show --job " + job_id() + " --format json --store " + store_);
  ASSERT_EQ(show.exit_code, 0) << show.err;
  const auto job = nlohmann::json::parse(show.out);
  EXPECT_EQ(job["nodes"][0]["node_runs"].size(), 2u);
  EXPECT_EQ(job["missing_ranks"], nlohmann::json::array({2, 3}));
}

// A rank whose monitor is killed never detaches: the node monitor notices, records it, and ends
// with its own command; the job summary flags the rank's run.
TEST_F(MultiNodeTest, NodeMonitorDoesNotWaitForAKilledRank) {
  ASSERT_TRUE(start_node_monitor_and_attached_rank());
  ASSERT_EQ(kill(pids_[1], SIGKILL), 0);
  waitpid(pids_[1], nullptr, 0);
  pids_.erase(1);
  release(1);  // its command, orphaned, ends on its own
  release(0);
  EXPECT_EQ(wait_rank(0), 10) << log(0);
  EXPECT_NE(log(0).find("rank 1 on node-a ended without detaching"), std::string::npos) << log(0);

  const auto runs = job_runs();
  ASSERT_EQ(runs.size(), 2u);
  auto opened = open_sqlite_store(store_);
  ASSERT_TRUE(opened.ok());
  const auto markers = (*opened)->markers(runs[0].id).value();
  EXPECT_TRUE(std::any_of(markers.begin(), markers.end(), [](const MarkerRecord& m) { return m.type == "rank_lost" && m.name == "rank 1"; }));
  auto show = run_cli("show --job " + job_id() + " --store " + store_);
  ASSERT_EQ(show.exit_code, 0) << show.err;
  EXPECT_NE(show.out.find("warning: run " + std::to_string(runs[1].id) + " (rank 1 on node-a) has not ended"), std::string::npos) << show.out;
}

// SIGTERM (scancel) to a node monitor that waits for its ranks ends the wait; the rank then
// finds its node monitor gone, says so, and still exits with its own command's code.
TEST_F(MultiNodeTest, SignalStopsTheNodeMonitorsWait) {
  ASSERT_TRUE(start_node_monitor_and_attached_rank());
  release(0);
  ASSERT_TRUE(eventually([&] { return log(0).find("still sampling node-a until rank 1 ends") != std::string::npos; })) << log(0);
  ASSERT_EQ(kill(pids_[0], SIGTERM), 0);
  EXPECT_EQ(wait_rank(0), 10) << log(0);
  release(1);
  EXPECT_EQ(wait_rank(1), 11) << log(1);
  const auto runs = job_runs();
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_NE(runs[0].end_reason.find("stopped waiting for rank 1 (signal 15)"), std::string::npos) << runs[0].end_reason;
  EXPECT_NE(runs[1].end_reason.find("the node monitor had ended before this rank"), std::string::npos) << runs[1].end_reason;
}

// srun --gpus-per-task gives each rank its own CUDA_VISIBLE_DEVICES: a rank whose GPUs the node
// monitor does not measure says so.
TEST_F(MultiNodeTest, RankWhoseGpusTheNodeMonitorMissesSaysSo) {
  start_rank(0, "node-a", "none", {{"CUDA_VISIBLE_DEVICES", "0,1"}});
  ASSERT_TRUE(eventually([&] { return job_runs().size() == 1; })) << log(0);
  start_rank(1, "node-a", "none", {{"CUDA_VISIBLE_DEVICES", "1"}});
  start_rank(2, "node-a", "none", {{"CUDA_VISIBLE_DEVICES", "2"}});
  ASSERT_TRUE(eventually([&] {
    const auto runs = job_runs();
    return !runs.empty() && runs[0].tags.count("ranks") && runs[0].tags.at("ranks") == "0,1,2";
  })) << log(0) << log(1) << log(2);
  for (int rank : {0, 1, 2}) release(rank);
  for (int rank : {0, 1, 2}) EXPECT_EQ(wait_rank(rank), 10 + rank) << log(rank);
  EXPECT_EQ(log(1).find("not all among"), std::string::npos) << log(1);
  EXPECT_NE(log(2).find("this rank's GPUs (2) are not all among those its node monitor measures (0,1)"), std::string::npos) << log(2);
}

// Every rank is started with the same --prometheus port: the node monitor serves the node's
// metrics, and the attached rank does not collide with it (which would refuse to start it).
TEST_F(MultiNodeTest, OnlyTheNodeMonitorServesPrometheusMetrics) {
  extra_measure_args_ = {"--prometheus", "127.0.0.1:" + std::to_string(free_loopback_port())};
  ASSERT_TRUE(start_node_monitor_and_attached_rank());
  for (int rank : {0, 1}) release(rank);
  for (int rank : {0, 1}) EXPECT_EQ(wait_rank(rank), 10 + rank) << log(rank);
  EXPECT_NE(log(0).find("Prometheus metrics at http://127.0.0.1:"), std::string::npos) << log(0);
  EXPECT_NE(log(1).find("served by its node monitor"), std::string::npos) << log(1);
}

TEST(MultiNodeCliTest, MpichRanksWithoutJobIdAreRefusedBeforeAnythingIsWritten) {
  const std::string store = (scratch_dir() / "hydra.db").string();
  fs::remove(store);
  const auto plain = run_cli("measure --out " + store + " -- true");
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  setenv("PMI_RANK", "1", 1);
  setenv("PMI_SIZE", "2", 1);
  auto result = run_cli("measure --out " + store + " -- true");
  unsetenv("PMI_RANK");
  unsetenv("PMI_SIZE");
  EXPECT_EQ(result.exit_code, 2) << result.err;
  EXPECT_NE(result.err.find("--job"), std::string::npos) << result.err;
  EXPECT_EQ(count_lines(result.err), 1) << result.err;
  auto opened = open_sqlite_store(store);
  ASSERT_TRUE(opened.ok());
  EXPECT_EQ((*opened)->runs()->size(), 1u);  // only the first, plain run
}

// The ranks of a job start together and create the shared store together.
TEST(MultiNodeCliTest, RanksCreatingOneStoreAtOnceAllGetIn) {
  const std::string store = (scratch_dir() / "concurrent.db").string();
  const std::string errors = (scratch_dir() / "concurrent.err").string();
  for (int round = 0; round < 3; ++round) {
    for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(store + suffix);
    std::string script = "status=0; for i in 1 2 3 4 5 6 7 8; do " + std::string(WATTCAST_BIN) + " measure --interval-ms 10 --out " + store +
                         " -- true >/dev/null 2>>" + errors + " & done; for job in $(jobs -p); do wait $job || status=1; done; exit $status";
    fs::remove(errors);
    EXPECT_EQ(std::system(("bash -c '" + script + "'").c_str()), 0) << read_text(errors);
    auto opened = open_sqlite_store(store);
    ASSERT_TRUE(opened.ok());
    EXPECT_EQ((*opened)->runs()->size(), 8u);
  }
}

TEST(MultiNodeCliTest, ShowJobNeedsAKnownJobAndNotARunIdToo) {
  const std::string store = (scratch_dir() / "show_job.db").string();
  fs::remove(store);
  const auto plain = run_cli("measure --out " + store + " -- true");
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  auto unknown = run_cli("show --job nope --store " + store);
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.err.find("no runs of job 'nope'"), std::string::npos) << unknown.err;
  auto both = run_cli("show 1 --job nope --store " + store);
  EXPECT_EQ(both.exit_code, 2);
  auto neither = run_cli("show --store " + store);
  EXPECT_EQ(neither.exit_code, 2);
}

}  // namespace
}  // namespace wattcast::testing
