// The command line of `measure --prometheus` and `exporter`: addresses refused before anything
// starts, one line each, exit code 2.

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>

#include "cli/cli_runner.h"
#include "export/processes.h"

namespace wattcast::testing {
namespace {

namespace fs = std::filesystem;

// Holds a loopback port until it goes away.
class OccupiedPort {
 public:
  OccupiedPort() : sock_(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    EXPECT_EQ(::bind(sock_, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
    EXPECT_EQ(::listen(sock_, 1), 0);
    ::getsockname(sock_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
  }
  ~OccupiedPort() { ::close(sock_); }
  int port() const { return port_; }

 private:
  int sock_;
  int port_ = 0;
};

std::string trace() { return write_scratch("exporter_trace.csv", "t_s,device,power_w\n0,gpu0,100\n"); }

TEST(ExporterCliTest, MeasureOnAPortInUseStopsBeforeTheCommandStarts) {
  TempDir dir;
  OccupiedPort taken;
  const std::string address = "127.0.0.1:" + std::to_string(taken.port());
  auto result = run_cli("measure --replay " + trace() + " --out " + (dir / "runs.db") + " --prometheus " + address + " -- touch " +
                        (dir / "started"));
  EXPECT_EQ(result.exit_code, 2) << result.err;
  EXPECT_EQ(count_lines(result.err), 1) << result.err;
  EXPECT_NE(result.err.find(address), std::string::npos) << result.err;
  EXPECT_FALSE(fs::exists(dir / "started"));
  EXPECT_FALSE(fs::exists(dir / "runs.db"));
}

TEST(ExporterCliTest, BadAddressesAreExit2NamingTheFlag) {
  for (const char* spec : {"localhost", "99999", "10.0.0.1.5:80"}) {
    auto result = run_cli("measure --replay " + trace() + " --prometheus " + spec + " -- true");
    EXPECT_EQ(result.exit_code, 2) << spec << ": " << result.err;
    EXPECT_EQ(count_lines(result.err), 1) << result.err;
    EXPECT_NE(result.err.find("--prometheus"), std::string::npos) << result.err;
  }
}

TEST(ExporterCliTest, MeasureListensOnLoopbackUnlessToldOtherwise) {
  TempDir dir;
  auto result = run_cli("measure --replay " + trace() + " --out " + (dir / "runs.db") + " --prometheus 0 -- true");
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.err.find("metrics at http://127.0.0.1:"), std::string::npos) << result.err;
  EXPECT_EQ(result.err.find("reachable from other machines"), std::string::npos) << result.err;
}

TEST(ExporterCliTest, ExporterRefusesBadInputBeforeServing) {
  TempDir dir;
  write_scratch("exporter_other.db", "not an SQLite file, not a store");
  auto broken = run_cli("exporter --store " + (scratch_dir() / "exporter_other.db").string() + " --listen 127.0.0.1:0");
  EXPECT_EQ(broken.exit_code, 2) << broken.err;
  EXPECT_NE(broken.err.find("exporter_other.db"), std::string::npos) << broken.err;
  // A store with one run, to name runs in.
  ASSERT_EQ(run_cli("measure --replay " + trace() + " --out " + (dir / "runs.db") + " -- true").exit_code, 0);
  auto bad_runs = run_cli("exporter --store " + (dir / "runs.db") + " --listen 127.0.0.1:0 --runs lively");
  EXPECT_EQ(bad_runs.exit_code, 2);
  EXPECT_NE(bad_runs.err.find("--runs"), std::string::npos) << bad_runs.err;
  auto no_run = run_cli("exporter --store " + (dir / "runs.db") + " --listen 127.0.0.1:0 --runs 1 42");
  EXPECT_EQ(no_run.exit_code, 2);
  EXPECT_NE(no_run.err.find("run 42"), std::string::npos) << no_run.err;
  OccupiedPort taken;
  const std::string address = "127.0.0.1:" + std::to_string(taken.port());
  auto in_use = run_cli("exporter --store " + (dir / "runs.db") + " --listen " + address);
  EXPECT_EQ(in_use.exit_code, 2);
  EXPECT_EQ(count_lines(in_use.err), 1) << in_use.err;
  EXPECT_NE(in_use.err.find(address), std::string::npos) << in_use.err;
}

// Started before the first run: serves no runs, creates nothing, and follows the store once a
// run is measured into it.
TEST(ExporterCliTest, ExporterWaitsForAStoreThatIsNotThereYet) {
  TempDir dir;
  const std::string store = dir / "later.db";
  Child exporter({WATTCAST_BIN, "exporter", "--store", store, "--listen", "127.0.0.1:0", "--runs", "all"}, dir / "exporter.log");
  int port = 0;
  ASSERT_TRUE(eventually([&] { return (port = announced_port(exporter)) > 0 && serves_metrics(port); }, std::chrono::seconds(20)))
      << exporter.log();
  EXPECT_NE(exporter.log().find("no run store there yet"), std::string::npos) << exporter.log();
  EXPECT_EQ(scrape(port).find("wattcast_run_energy_joules_total{"), std::string::npos);
  EXPECT_FALSE(fs::exists(store));
  ASSERT_EQ(run_cli("measure --replay " + trace() + " --out " + store + " -- true").exit_code, 0);
  EXPECT_TRUE(eventually([&] { return scrape(port).find("wattcast_run_energy_joules_total{") != std::string::npos; }, std::chrono::seconds(30)))
      << scrape(port);
  exporter.signal(SIGTERM);
  EXPECT_EQ(exporter.wait(std::chrono::seconds(10)), 0) << exporter.log();
}

}  // namespace
}  // namespace wattcast::testing
