// `measure` on a disk that fills up (issue 15, item 3): a real tmpfs of a few hundred kB holds the
// store. It is mounted in a private mount namespace of a child process, so nothing reaches the
// machine's mounts and the mount goes with the child, whatever the test's outcome. The child runs
// the scenario with the usual assertions (their failures print from the child) and exits non-zero
// if any failed.

#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <regex>
#include <string>

#include <nlohmann/json.hpp>

#include "cli/cli_runner.h"
#include "core/csv.h"

namespace wattcast::testing {
namespace {

namespace fs = std::filesystem;

constexpr int kCannotMount = 77;

bool write_file(const std::string& path, const std::string& text) {
  const int fd = ::open(path.c_str(), O_WRONLY);
  if (fd < 0) return false;
  const bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ::close(fd);
  return written;
}

// In the calling (child) process: a mount namespace of its own (and, for a user other than root,
// a user namespace in which it is root), with a tmpfs of `size` on `dir`. Empty, or why not.
std::string mount_small_disk(const std::string& dir, const std::string& size) {
  const uid_t uid = ::geteuid();
  const gid_t gid = ::getegid();
  if (uid == 0) {
    if (::unshare(CLONE_NEWNS) != 0) return std::string("unshare(CLONE_NEWNS): ") + std::strerror(errno);
  } else {
    if (::unshare(CLONE_NEWUSER | CLONE_NEWNS) != 0) {
      return std::string("not root, and no user namespace (unshare(CLONE_NEWUSER): ") + std::strerror(errno) + ")";
    }
    if (!write_file("/proc/self/setgroups", "deny") || !write_file("/proc/self/uid_map", "0 " + std::to_string(uid) + " 1") ||
        !write_file("/proc/self/gid_map", "0 " + std::to_string(gid) + " 1")) {
      return "not root, and the user namespace's id maps could not be written";
    }
  }
  // Private from here on: the tmpfs is seen by this process and its children only.
  if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) return std::string("mount --make-rprivate /: ") + std::strerror(errno);
  if (::mount("tmpfs", dir.c_str(), "tmpfs", 0, ("size=" + size).c_str()) != 0) return std::string("mount -t tmpfs: ") + std::strerror(errno);
  return "";
}

// Runs `scenario` in a child process that has a tmpfs of `size` on `dir`; skips the test where
// no such mount can be made.
void on_small_disk(const std::string& dir, const std::string& size, const std::function<void()>& scenario) {
  fs::create_directories(dir);
  const std::string why_file = dir + ".why";
  std::fflush(nullptr);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    if (const std::string why = mount_small_disk(dir, size); !why.empty()) {
      std::ofstream(why_file) << why;
      ::_exit(kCannotMount);
    }
    scenario();
    ::umount2(dir.c_str(), MNT_DETACH);
    std::fflush(nullptr);
    ::_exit(::testing::Test::HasFailure() ? 1 : 0);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status)) << "the scenario's process was killed";
  if (WEXITSTATUS(status) == kCannotMount) GTEST_SKIP() << "needs a small tmpfs for the store, and cannot mount one: " << read_text(why_file);
  EXPECT_EQ(WEXITSTATUS(status), 0) << "the scenario failed (its failures are printed above)";
}

std::string trace() {
  return write_scratch("full_disk_trace.csv", "t_s,device,power_w\n0,gpu0,100\n0.2,gpu0,200\n0.4,gpu0,150\n");
}

int occurrences(const std::string& text, const std::string& what) {
  int count = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) ++count;
  return count;
}

// Shell lines that wait (at most a minute) until wattcast has said `what` on the standard error
// that run_cli captures, then do `then`.
std::string when_said(const std::string& what, const std::string& then) {
  return "for i in $(seq 3000); do\n  grep -q '" + what + "' " + captured_stderr_path().string() + " && { " + then +
         "; }\n  sleep 0.02\ndone\n";
}

// `measure` with the replayed trace and a store on the small disk, of a shell script.
CliResult measure(const std::string& options, const std::string& store, const std::string& script) {
  const std::string path = write_scratch("full_disk_command.sh", script);
  return run_cli("measure " + options + " --replay " + trace() + " --out " + store + " -- sh " + path);
}

TEST(FullDiskTest, SamplesTheStoreCannotTakeAreNamedAndTheTotalsAreTheMonitorsOwn) {
  StillMachine still;
  const std::string disk = (scratch_dir() / "small_disk_full").string();
  on_small_disk(disk, "300k", [&] {
    // The case: 1 ms samples into a 300 kB store. The disk fills within seconds; the
    // command runs 2 s more and ends with its own exit code.
    const std::string store = disk + "/runs.db";
    const CliResult measured = measure("--interval-ms 1", store, when_said("measuring goes on", "sleep 2; exit 3") + "exit 9\n");
    EXPECT_EQ(measured.exit_code, 3) << measured.err;
    // Told once, when the store first refused, and not again at every flush.
    EXPECT_EQ(occurrences(measured.err, "measuring goes on"), 1) << measured.err;
    EXPECT_EQ(occurrences(measured.err, "writing again"), 0) << measured.err;
    // The summary at the end says it too.
    EXPECT_NE(measured.err.find("s were not stored ("), std::string::npos) << measured.err;
    EXPECT_NE(measured.err.find("totals are the monitor's own integration"), std::string::npos) << measured.err;

    const CliResult shown = run_cli("show 1 --store " + store + " --format json");
    ASSERT_EQ(shown.exit_code, 0) << shown.err;
    const auto run = nlohmann::json::parse(shown.out);
    EXPECT_EQ(run["exit_code"], 3);
    EXPECT_EQ(run["energy_source"], "monitor");
    ASSERT_TRUE(run["unstored_samples"].is_object()) << shown.out;
    const auto& missing = run["unstored_samples"];
    EXPECT_GT(missing["samples"].get<int>(), 1000);
    EXPECT_GT(missing["first_tick"].get<int>(), 0);  // the first samples went in
    EXPECT_GT(missing["last_tick"].get<int>(), missing["first_tick"].get<int>());
    const double from_s = missing["from_s"], to_s = missing["to_s"], duration_s = run["duration_s"];
    EXPECT_GT(from_s, 0);
    EXPECT_GE(to_s - from_s, 1.9);  // the 2 s the command ran on
    EXPECT_LE(to_s, duration_s);
    EXPECT_NE(missing["reason"].get<std::string>().find("full"), std::string::npos) << missing["reason"];

    // The totals are the monitor's: the figure its end reason gives (6 digits) ...
    std::smatch figure;
    const std::string end_reason = run["end_reason"];
    ASSERT_TRUE(std::regex_search(end_reason, figure, std::regex("measured by the monitor, is ([0-9.]+) kJ"))) << end_reason;
    const double monitor_j = std::stod(figure[1]) * 1000;
    EXPECT_NEAR(run["energy_j"].get<double>(), monitor_j, 1e-5 * monitor_j);
    // ... which covers the whole run: the replayed GPU's 100 W, 200 W, then 150 W to the last
    // sample, where the stored samples alone end at the first one missing (2 s, 300 J, short).
    double gpu_j = -1;
    for (const auto& device : run["devices"]) {
      if (device["name"] == "gpu0") gpu_j = device["energy_j"];
    }
    const double expected_gpu_j = 100 * 0.2 + 200 * 0.2 + 150 * (to_s - 0.4);
    EXPECT_NEAR(gpu_j, expected_gpu_j, 0.03 * expected_gpu_j);

    const CliResult text = run_cli("show 1 --store " + store);
    EXPECT_TRUE(std::regex_search(text.out, std::regex("samples from [0-9.]+ to [0-9.]+ s were not stored \\([^)]*full\\); "
                                                       "totals are the monitor's own integration")))
        << text.out;
    const CliResult report = run_cli("report 1 --store " + store + " --out -");
    EXPECT_EQ(report.exit_code, 0) << report.err;
    EXPECT_NE(report.out.find("totals are the monitor&#39;s own integration"), std::string::npos);
  });
}

TEST(FullDiskTest, SamplesRefusedWhileTheDiskIsFullAreStoredOnceThereIsRoomAgain) {
  StillMachine still;
  const std::string disk = (scratch_dir() / "small_disk_freed").string();
  on_small_disk(disk, "1m", [&] {
    // The command fills the disk, frees it once wattcast says the store refuses, and ends once
    // wattcast says it writes again.
    const std::string store = disk + "/runs.db";
    const std::string ballast = disk + "/ballast";
    const CliResult measured = measure("--interval-ms 10", store,
                                       "head -c 10000000 /dev/zero > " + ballast + " 2>/dev/null\n" + when_said("measuring goes on", "break") +
                                           "rm " + ballast + "\n" + when_said("writing again", "exit 0") + "exit 9\n");
    EXPECT_EQ(measured.exit_code, 0) << measured.err;
    EXPECT_EQ(occurrences(measured.err, "measuring goes on"), 1) << measured.err;
    EXPECT_EQ(occurrences(measured.err, "writing again"), 1) << measured.err;

    const CliResult shown = run_cli("show 1 --store " + store + " --format json");
    ASSERT_EQ(shown.exit_code, 0) << shown.err;
    const auto run = nlohmann::json::parse(shown.out);
    EXPECT_EQ(run["energy_source"], "samples");
    EXPECT_TRUE(run["unstored_samples"].is_null());
    EXPECT_EQ(run["end_reason"], "exited");
    // Every tick of the replayed GPU is in the store, those refused for a while included.
    const CliResult exported = run_cli("export 1 --store " + store + " --what samples --out " + (scratch_dir() / "freed.csv").string());
    ASSERT_EQ(exported.exit_code, 0) << exported.err;
    auto table = CsvTable::read_file((scratch_dir() / "freed.csv").string());
    ASSERT_TRUE(table.ok());
    int64_t expected_tick = 0;
    for (const auto& row : table->rows()) {
      if (row.text("device") != "gpu0") continue;
      EXPECT_EQ(*row.number("tick"), expected_tick);
      ++expected_tick;
    }
    EXPECT_GT(expected_tick, 10);
  });
}

}  // namespace
}  // namespace wattcast::testing
