#include "sensors/process_tree_sensor.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <ctime>
#include <filesystem>

#include "fakes/temp_tree.h"

namespace wattcast {
namespace {

double ticks_per_s() { return static_cast<double>(::sysconf(_SC_CLK_TCK)); }
double page_bytes() { return static_cast<double>(::sysconf(_SC_PAGESIZE)); }

class ProcessTreeSensorTest : public ::testing::Test {
 protected:
  // A /proc/PID/stat line with the fields the sensor reads; the rest are plausible filler.
  void add_process(int pid, const std::string& command, int parent, int utime, int stime, int cutime, int cstime,
                   int rss_pages) {
    tree_.write(std::to_string(pid) + "/stat",
                fmt::format("{} ({}) S {} {} {} 0 -1 4194304 100 0 0 0 {} {} {} {} 20 0 1 0 12345 1000000 {} "
                            "18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 3 0 0 0 0 0\n",
                            pid, command, parent, pid, pid, utime, stime, cutime, cstime, rss_pages));
  }
  testing::TempTree tree_;
};

TEST_F(ProcessTreeSensorTest, SumsTheRootAndEveryDescendantOnly) {
  add_process(1, "init", 0, 5000, 5000, 0, 0, 1000);
  add_process(100, "python", 1, 300, 100, 50, 50, 1000);
  add_process(101, "pt_data_worker", 100, 200, 0, 0, 0, 500);
  add_process(102, "python (worker) 1", 100, 100, 0, 0, 0, 250);  // spaces and parentheses in comm
  add_process(103, "nvidia-smi", 101, 10, 0, 0, 0, 50);           // a grandchild
  add_process(200, "unrelated", 1, 9000, 0, 0, 0, 7000);
  add_process(201, "its child", 200, 9000, 0, 0, 0, 7000);
  tree_.make_directory("104");   // listed, but exited before its stat was read
  tree_.make_directory("self");  // not a process directory
  tree_.write("stat", "cpu 1 2 3\n");

  auto sensor = make_process_tree_sensor(100, tree_.root());
  ASSERT_TRUE(sensor.ok()) << sensor.error().message;
  EXPECT_EQ((*sensor)->name(), "process-tree");
  EXPECT_EQ((*sensor)->devices().at(0).kind, "process");
  EXPECT_EQ((*sensor)->devices().at(0).name, "pid 100 (python) and its descendants");

  std::vector<Reading> readings;
  ASSERT_TRUE((*sensor)->sample(readings).ok());
  ASSERT_EQ(readings.size(), 1u);
  EXPECT_TRUE(std::isnan(readings[0].power_w));
  EXPECT_DOUBLE_EQ(*readings[0].cpu_time_s, (500 + 200 + 100 + 10) / ticks_per_s());
  EXPECT_DOUBLE_EQ(*readings[0].rss_bytes, (1000 + 500 + 250 + 50) * page_bytes());
}

// This fake /proc has no children files: the whole of /proc is scanned every 5 s only, and the
// processes found are read at the samples in between.
TEST_F(ProcessTreeSensorTest, WithoutChildrenFilesTheTreeIsRescannedEveryFiveSeconds) {
  add_process(100, "python", 1, 100, 0, 0, 0, 10);
  double now_s = 0;
  auto sensor = make_process_tree_sensor(100, tree_.root(), [&] { return now_s; });
  ASSERT_TRUE(sensor.ok()) << sensor.error().message;
  auto cpu_time_at = [&](double t_s) {
    now_s = t_s;
    std::vector<Reading> readings;
    EXPECT_TRUE((*sensor)->sample(readings).ok());
    return readings.empty() ? -1.0 : *readings[0].cpu_time_s * ticks_per_s();
  };
  EXPECT_DOUBLE_EQ(cpu_time_at(0), 100);
  add_process(100, "python", 1, 150, 0, 0, 0, 10);   // the known process moves on ...
  add_process(101, "worker", 100, 40, 0, 0, 0, 10);  // ... and a new child starts
  EXPECT_DOUBLE_EQ(cpu_time_at(1), 150) << "known processes are read at every sample";
  EXPECT_DOUBLE_EQ(cpu_time_at(4.9), 150) << "the new child waits for the next scan";
  EXPECT_DOUBLE_EQ(cpu_time_at(5), 190);
}

TEST_F(ProcessTreeSensorTest, RootThatExitedGivesNoReading) {
  add_process(100, "python", 1, 1, 1, 0, 0, 1);
  auto sensor = make_process_tree_sensor(100, tree_.root());
  ASSERT_TRUE(sensor.ok()) << sensor.error().message;
  std::filesystem::remove_all(tree_.path("100"));
  std::vector<Reading> readings;
  ASSERT_TRUE((*sensor)->sample(readings).ok());
  EXPECT_TRUE(readings.empty());
}

TEST_F(ProcessTreeSensorTest, MissingRootIsAnError) {
  auto sensor = make_process_tree_sensor(4242, tree_.root());
  ASSERT_FALSE(sensor.ok());
  EXPECT_NE(sensor.error().message.find("process 4242 not found under " + tree_.root()), std::string::npos)
      << sensor.error().message;
}

TEST(ProcessTreeSensorRealProcTest, SeesThisTestsOwnCpuTimeAndMemory) {
  auto sensor = make_process_tree_sensor(::getpid());
  ASSERT_TRUE(sensor.ok()) << sensor.error().message;
  // Use 50 ms of CPU, measured by this process's own CPU clock, so the kernel has ticks to count.
  const std::clock_t start = std::clock();
  volatile double sink = 0;
  while (std::clock() - start < CLOCKS_PER_SEC / 20) sink = sink + 1.0;

  std::vector<Reading> readings;
  ASSERT_TRUE((*sensor)->sample(readings).ok());
  ASSERT_EQ(readings.size(), 1u);
  EXPECT_GE(*readings[0].cpu_time_s, 0.03);
  EXPECT_GT(*readings[0].rss_bytes, 1e6);
}

}  // namespace
}  // namespace wattcast
