// Every command takes a postgresql:// URL where it takes a store, as a user types it.

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "support/postgres_database.h"

namespace wattcast {
namespace {

namespace fs = std::filesystem;

struct Ran {
  int exit_code = -1;
  std::string out, err;
};

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

  Ran run(const std::string& args) {
    const std::string out = (dir_ / "out").string(), err = (dir_ / "err").string();
    const std::string command = std::string(WATTCAST_BIN) + " " + args + " >" + out + " 2>" + err + " </dev/null";
    const int status = std::system(command.c_str());
    Ran ran;
    ran.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    ran.out = read(out);
    ran.err = read(err);
    return ran;
  }
  static std::string read(const std::string& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }

  testing::PostgresServer* server_ = nullptr;
  std::string url_;
  fs::path dir_;
};

TEST_F(SharedStoreCliTest, MeasureThenReadWithEveryCommand) {
  std::ofstream(dir_ / "trace.csv") << "t_s,device,power_w\n0,gpu0,100\n0.2,gpu0,200\n";
  const Ran measured = run("measure --replay " + (dir_ / "trace.csv").string() + " --interval-ms 20 --tag model=resnet --store '" + url_ +
                           "' -- sh -c 'sleep 0.3; exit 4'");
  ASSERT_EQ(measured.exit_code, 4) << measured.err;
  // The summary names the store without its password.
  EXPECT_NE(measured.err.find("postgresql://wattcast:***@127.0.0.1"), std::string::npos) << measured.err;
  EXPECT_EQ(measured.err.find(testing::PostgresServer::kPassword), std::string::npos) << measured.err;

  const Ran runs = run("runs --store '" + url_ + "'");
  ASSERT_EQ(runs.exit_code, 0) << runs.err;
  EXPECT_NE(runs.out.find("sleep 0.3"), std::string::npos) << runs.out;
  const Ran show = run("show 1 --store '" + url_ + "'");
  ASSERT_EQ(show.exit_code, 0) << show.err;
  EXPECT_NE(show.out.find("exit code 4"), std::string::npos) << show.out;
  const Ran exported = run("export 1 --format csv --store '" + url_ + "'");
  ASSERT_EQ(exported.exit_code, 0) << exported.err;
  EXPECT_GT(std::count(exported.out.begin(), exported.out.end(), '\n'), 5);

  const Ran wrong = run("runs --store '" + server_->tcp_url("postgres", "guess") + "'");
  EXPECT_EQ(wrong.exit_code, 2);
  EXPECT_NE(wrong.err.find("wattcast:***@"), std::string::npos) << wrong.err;
  EXPECT_EQ(std::count(wrong.err.begin(), wrong.err.end(), '\n'), 1) << wrong.err;
}

}  // namespace
}  // namespace wattcast
