// The RAPL sensor against fake powercap trees in a temporary directory.

#include "sensors/rapl_sensor.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>

#include "fakes/temp_tree.h"

namespace wattcast {
namespace {

class RaplSensorTest : public ::testing::Test {
 protected:
  void add_zone(const std::string& id, const std::string& name, unsigned long long energy_uj,
                unsigned long long range_uj = 262143328850ull) {
    tree_.write("class/powercap/" + id + "/name", name + "\n");
    tree_.write("class/powercap/" + id + "/max_energy_range_uj", std::to_string(range_uj) + "\n");
    set_energy(id, energy_uj);
  }
  void set_energy(const std::string& id, unsigned long long energy_uj) {
    tree_.write("class/powercap/" + id + "/energy_uj", std::to_string(energy_uj) + "\n");
  }
  // Two sockets with DRAM, plus zones that must not be counted again.
  void add_two_socket_server() {
    add_zone("intel-rapl:0", "package-0", 1'000'000);
    add_zone("intel-rapl:0:0", "core", 500'000);
    add_zone("intel-rapl:0:1", "dram", 2'000'000);
    add_zone("intel-rapl:1", "package-1", 3'000'000);
    add_zone("intel-rapl:1:0", "dram", 4'000'000);
    add_zone("intel-rapl:2", "psys", 9'000'000);
    add_zone("intel-rapl-mmio:0", "package-0", 7'000'000);
  }
  Result<std::unique_ptr<Sensor>> open() {
    return make_rapl_sensor(tree_.root(), [this] { return now_s_; });
  }

  testing::TempTree tree_;
  double now_s_ = 1000.0;
};

TEST_F(RaplSensorTest, WatchesPackagesAndTheirDramOnly) {
  add_two_socket_server();
  auto sensor = open();
  ASSERT_TRUE(sensor.ok()) << sensor.error().message;
  EXPECT_EQ((*sensor)->name(), "rapl");
  const auto& devices = (*sensor)->devices();
  ASSERT_EQ(devices.size(), 4u);
  EXPECT_EQ(devices[0].kind, "cpu");
  EXPECT_EQ(devices[0].name, "package-0");
  EXPECT_EQ(devices[0].uuid, "intel-rapl:0");
  EXPECT_EQ(devices[1].kind, "dram");
  EXPECT_EQ(devices[1].name, "dram (package-0)");
  EXPECT_EQ(devices[1].uuid, "intel-rapl:0:1");
  EXPECT_EQ(devices[2].uuid, "intel-rapl:1");
  EXPECT_EQ(devices[2].index, 1);
  EXPECT_EQ(devices[3].uuid, "intel-rapl:1:0");
  EXPECT_EQ(devices[3].index, 1);
  for (const auto& device : devices) EXPECT_EQ(device.provenance, Provenance::kMeasured);
}

TEST_F(RaplSensorTest, EnergyAccumulatesSinceStartAndPowerIsDeltaOverTime) {
  add_two_socket_server();
  auto sensor = open();
  ASSERT_TRUE(sensor.ok()) << sensor.error().message;

  now_s_ += 2.0;
  set_energy("intel-rapl:0", 1'000'000 + 200'000'000);  // 200 J in 2 s
  set_energy("intel-rapl:0:1", 2'000'000 + 30'000'000);
  std::vector<Reading> first;
  ASSERT_TRUE((*sensor)->sample(first).ok());
  ASSERT_EQ(first.size(), 4u);
  EXPECT_DOUBLE_EQ(*first[0].energy_j, 200.0);
  EXPECT_DOUBLE_EQ(first[0].power_w, 100.0);
  EXPECT_DOUBLE_EQ(*first[1].energy_j, 30.0);
  EXPECT_DOUBLE_EQ(first[1].power_w, 15.0);
  EXPECT_DOUBLE_EQ(*first[2].energy_j, 0.0);
  EXPECT_DOUBLE_EQ(first[2].power_w, 0.0);

  now_s_ += 0.5;
  set_energy("intel-rapl:0", 1'000'000 + 250'000'000);
  std::vector<Reading> second;
  ASSERT_TRUE((*sensor)->sample(second).ok());
  EXPECT_DOUBLE_EQ(*second[0].energy_j, 250.0);
  EXPECT_DOUBLE_EQ(second[0].power_w, 100.0);
}

TEST_F(RaplSensorTest, CounterWrapAroundIsAddedBack) {
  add_zone("intel-rapl:0", "package-0", 900'000, /*range_uj=*/1'000'000);
  auto sensor = open();
  ASSERT_TRUE(sensor.ok()) << sensor.error().message;

  now_s_ += 1.0;
  set_energy("intel-rapl:0", 100'000);  // wrapped: 100'000 to the top, then 100'000 more
  std::vector<Reading> readings;
  ASSERT_TRUE((*sensor)->sample(readings).ok());
  ASSERT_EQ(readings.size(), 1u);
  EXPECT_DOUBLE_EQ(*readings[0].energy_j, 0.2);
  EXPECT_DOUBLE_EQ(readings[0].power_w, 0.2);
}

TEST_F(RaplSensorTest, ZoneThatFailsMidRunSitsThatTickOut) {
  add_two_socket_server();
  auto sensor = open();
  ASSERT_TRUE(sensor.ok()) << sensor.error().message;
  std::filesystem::remove(tree_.path("class/powercap/intel-rapl:1/energy_uj"));
  now_s_ += 1.0;
  std::vector<Reading> readings;
  ASSERT_TRUE((*sensor)->sample(readings).ok());
  ASSERT_EQ(readings.size(), 3u);
  EXPECT_EQ(readings[2].device, 3u);
}

TEST_F(RaplSensorTest, NoPowercapSaysWhatIsMissing) {
  auto sensor = open();
  ASSERT_FALSE(sensor.ok());
  EXPECT_NE(sensor.error().message.find("RAPL not available"), std::string::npos) << sensor.error().message;
  EXPECT_NE(sensor.error().message.find("falls back to a CPU model"), std::string::npos);
}

TEST_F(RaplSensorTest, CounterThatCannotBeReadNamesTheFile) {
  add_zone("intel-rapl:0", "package-0", 1);
  std::filesystem::remove(tree_.path("class/powercap/intel-rapl:0/energy_uj"));
  tree_.make_directory("class/powercap/intel-rapl:0/energy_uj");
  auto sensor = open();
  ASSERT_FALSE(sensor.ok());
  EXPECT_NE(sensor.error().message.find("cannot read RAPL counter " + tree_.path("class/powercap/intel-rapl:0/energy_uj")),
            std::string::npos)
      << sensor.error().message;
}

// Runs make_rapl_sensor as an unprivileged user (root reads files whatever their mode) and
// returns its error message, or why that could not be done.
struct UnprivilegedOutcome {
  bool ran = false;
  std::string message;  // the factory's error; "" when it succeeded
};

UnprivilegedOutcome open_rapl_unprivileged(const std::string& sysfs_root) {
  UnprivilegedOutcome outcome;
  int pipe_fds[2];
  if (::pipe(pipe_fds) != 0) return outcome;
  const pid_t child = ::fork();
  if (child == 0) {
    ::close(pipe_fds[0]);
    if (::geteuid() == 0 && (::setgid(65534) != 0 || ::setuid(65534) != 0)) ::_exit(3);
    auto sensor = make_rapl_sensor(sysfs_root);
    const std::string message = sensor.ok() ? "" : sensor.error().message;
    const bool written = ::write(pipe_fds[1], message.data(), message.size()) == static_cast<ssize_t>(message.size());
    ::_exit(written ? 0 : 4);
  }
  ::close(pipe_fds[1]);
  char buffer[1024];
  ssize_t got;
  while ((got = ::read(pipe_fds[0], buffer, sizeof buffer)) > 0) outcome.message.append(buffer, static_cast<size_t>(got));
  ::close(pipe_fds[0]);
  int status = 0;
  ::waitpid(child, &status, 0);
  outcome.ran = WIFEXITED(status) && WEXITSTATUS(status) == 0;
  return outcome;
}

TEST_F(RaplSensorTest, RootOnlyCountersExplainHowToGrantAccess) {
  add_zone("intel-rapl:0", "package-0", 1);
  // As on kernels patched for CVE-2020-8694: energy_uj is 0400 root.
  ASSERT_EQ(::chmod(tree_.path("class/powercap/intel-rapl:0/energy_uj").c_str(), 0400), 0);
  ::chmod(tree_.root().c_str(), 0755);  // mkdtemp made it 0700; the unprivileged child must get in
  if (::geteuid() != 0) {
    ASSERT_EQ(::chmod(tree_.path("class/powercap/intel-rapl:0/energy_uj").c_str(), 0000), 0);
  }
  const auto outcome = open_rapl_unprivileged(tree_.root());
  if (!outcome.ran) GTEST_SKIP() << "cannot drop root privileges here (setuid to nobody failed)";
  EXPECT_EQ(outcome.message.rfind("RAPL energy files are not readable (kernel restricts energy_uj to root since "
                                  "CVE-2020-8694): run `sudo chmod o+r " +
                                      tree_.root() + "/class/powercap/intel-rapl:*/energy_uj`",
                                  0),
            0u)
      << outcome.message;
  EXPECT_NE(outcome.message.find("falls back to a CPU model"), std::string::npos);
}

}  // namespace
}  // namespace wattcast
