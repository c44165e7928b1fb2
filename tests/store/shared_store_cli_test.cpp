// Every command takes a postgresql:// URL where it takes a store, as a user types it.

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/cli_runner.h"
#include "store/open_store.h"
#include "support/postgres_database.h"

namespace wattcast {
namespace {

namespace fs = std::filesystem;

class SharedStoreCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = testing::require_postgres_server();
    ASSERT_NE(server_, nullptr);
    const std::string database = testing::fresh_postgres_database(*server_);
    ASSERT_FALSE(database.empty());
    url_ = server_->tcp_url(database);
    dir_ = fs::temp_directory_path() / ("wattcast_shared_cli_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  testing::PostgresServer* server_ = nullptr;
  std::string url_;
  fs::path dir_;
};

TEST_F(SharedStoreCliTest, MeasureThenReadWithEveryCommand) {
  std::ofstream(dir_ / "trace.csv") << "t_s,device,power_w\n0,gpu0,100\n0.2,gpu0,200\n";
  const testing::CliResult measured = testing::run_cli("measure --replay " + (dir_ / "trace.csv").string() + " --interval-ms 20 --tag model=resnet --store '" + url_ +
                           "' -- sh -c 'sleep 0.3; exit 4'");
  ASSERT_EQ(measured.exit_code, 4) << measured.err;
  // The summary names the store without its password.
  EXPECT_NE(measured.err.find("postgresql://wattcast:***@127.0.0.1"), std::string::npos) << measured.err;
  EXPECT_EQ(measured.err.find(testing::PostgresServer::kPassword), std::string::npos) << measured.err;

  const testing::CliResult runs = testing::run_cli("runs --store '" + url_ + "'");
  ASSERT_EQ(runs.exit_code, 0) << runs.err;
  EXPECT_NE(runs.out.find("sleep 0.3"), std::string::npos) << runs.out;
  const testing::CliResult show = testing::run_cli("show 1 --store '" + url_ + "'");
  ASSERT_EQ(show.exit_code, 0) << show.err;
  EXPECT_NE(show.out.find("exit code 4"), std::string::npos) << show.out;
  const testing::CliResult exported = testing::run_cli("export 1 --format csv --store '" + url_ + "'");
  ASSERT_EQ(exported.exit_code, 0) << exported.err;
  EXPECT_GT(std::count(exported.out.begin(), exported.out.end(), '\n'), 5);

  // Every message that names the store hides its password.
  const std::vector<std::string> naming_the_store = {"show --job nope --store '" + url_ + "'",
                                                      "compare '" + url_ + "' --by model --metric energy_kj --experiment nope"};
  for (const std::string& args : naming_the_store) {
    const testing::CliResult refused = testing::run_cli(args);
    EXPECT_EQ(refused.exit_code, 2) << args << ": " << refused.err;
    EXPECT_NE(refused.err.find("wattcast:***@"), std::string::npos) << args << ": " << refused.err;
    EXPECT_EQ(refused.err.find(testing::PostgresServer::kPassword), std::string::npos) << args << ": " << refused.err;
  }

  const testing::CliResult wrong = testing::run_cli("runs --store '" + server_->tcp_url("postgres", "guess") + "'");
  EXPECT_EQ(wrong.exit_code, 2);
  EXPECT_NE(wrong.err.find("wattcast:***@"), std::string::npos) << wrong.err;
  EXPECT_EQ(std::count(wrong.err.begin(), wrong.err.end(), '\n'), 1) << wrong.err;
}

// Two pretend nodes of two ranks each (a Slurm step, WATTCAST_HOST), all writing the PostgreSQL
// store at once: one node monitor per host, and `show --job` merges them from the server.
TEST_F(SharedStoreCliTest, MultiRankJobInOneSharedStore) {
  std::ofstream(dir_ / "trace.csv") << "t_s,device,power_w\n0,gpu0,100\n0.2,gpu0,200\n";
  const fs::path runtime = fs::temp_directory_path() / ("wct-pg-" + std::to_string(::getpid()));
  fs::create_directories(runtime);
  const std::string go = (dir_ / "go").string();
  std::string launch;
  for (int rank = 0; rank < 4; ++rank) {
    launch += "env SLURM_JOB_ID=42 SLURM_STEP_ID=0 SLURM_PROCID=" + std::to_string(rank) + " SLURM_LOCALID=" + std::to_string(rank % 2) +
              " SLURM_NTASKS=4 WATTCAST_HOST=node" + std::to_string(rank / 2) + " XDG_RUNTIME_DIR=" + runtime.string() + " " + WATTCAST_BIN +
              " measure --interval-ms 20 --replay " + (dir_ / "trace.csv").string() + " --store '" + url_ +
              "' -- sh -c 'until [ -e " + go + " ]; do sleep 0.01; done; exit " + std::to_string(rank) + "' >" +
              (dir_ / ("rank" + std::to_string(rank) + ".log")).string() + " 2>&1 &\n";
  }
  launch += "wait\n";
  const pid_t shell = fork();
  if (shell == 0) {
    execl("/bin/sh", "sh", "-c", launch.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  // Every rank has its run once all four have joined; only then may the commands end.
  auto store = open_store(url_);
  ASSERT_TRUE(store.ok()) << store.error().message;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  size_t started = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    auto runs = (*store)->runs();
    started = runs ? runs->size() : 0;
    if (started == 4) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  std::ofstream(go) << "go";
  int status = 0;
  ASSERT_EQ(waitpid(shell, &status, 0), shell);
  fs::remove_all(runtime);
  ASSERT_EQ(started, 4u) << testing::read_text((dir_ / "rank0.log").string());

  const auto runs = *(*store)->runs();
  int node_runs = 0;
  for (const auto& r : runs) {
    EXPECT_EQ(r.tags.at("job"), "slurm:42.0");
    EXPECT_EQ(r.exit_code, std::stoi(r.tags.at("rank"))) << r.end_reason;
    const bool node = r.tags.at("role") == "node";
    node_runs += node;
    const auto devices = *(*store)->devices(r.id);
    const auto gpus = std::count_if(devices.begin(), devices.end(), [](const DeviceRecord& d) { return d.info.kind == "gpu"; });
    EXPECT_EQ(gpus, node ? 1 : 0) << "run " << r.id;  // only node monitors sample the node's devices
  }
  EXPECT_EQ(node_runs, 2);

  const testing::CliResult show = testing::run_cli("show --job slurm:42.0 --format json --store '" + url_ + "'");
  ASSERT_EQ(show.exit_code, 0) << show.err;
  const auto job = nlohmann::json::parse(show.out);
  ASSERT_EQ(job["nodes"].size(), 2u);
  EXPECT_EQ(job["nodes"][0]["host"], "node0");
  EXPECT_EQ(job["nodes"][0]["ranks"], nlohmann::json::array({0, 1}));
  EXPECT_EQ(job["nodes"][1]["ranks"], nlohmann::json::array({2, 3}));
  EXPECT_TRUE(job["missing_ranks"].empty());
  const double nodes_j = job["nodes"][0]["energy_j"].get<double>() + job["nodes"][1]["energy_j"].get<double>();
  EXPECT_GT(nodes_j, 0);
  EXPECT_NEAR(job["energy_j"].get<double>(), nodes_j, 1e-9 * nodes_j);
}

}  // namespace
}  // namespace wattcast
