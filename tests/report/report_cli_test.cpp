// `wattcast report` on bad input: one line on stderr naming the file or option, exit code 2,
// nothing written.

#include <gtest/gtest.h>

#include <filesystem>

#include "cli/cli_runner.h"
#include "store/sqlite_store.h"

namespace wattcast::testing {
namespace {

std::string empty_store() {
  const std::string path = (scratch_dir() / "empty.db").string();
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  EXPECT_TRUE(open_sqlite_store(path).ok());
  return path;
}

void expect_refused(const std::string& args, const std::string& named, const std::string& out) {
  const auto result = run_cli("report " + args);
  EXPECT_EQ(result.exit_code, 2) << args;
  EXPECT_EQ(count_lines(result.err), 1) << result.err;
  EXPECT_NE(result.err.find(named), std::string::npos) << result.err;
  EXPECT_FALSE(std::filesystem::exists(out)) << out;
}

TEST(ReportCliTest, BadInputIsOneLineExit2AndNothingWritten) {
  const std::string store = empty_store();
  const std::string out = (scratch_dir() / "report.html").string();
  std::filesystem::remove(out);
  expect_refused("--store " + store + " --out " + out, "empty.db: the store holds no runs", out);
  expect_refused("3 --store " + store + " --out " + out, "no run 3", out);
  expect_refused("--store " + (scratch_dir() / "missing.db").string() + " --out " + out, "missing.db", out);
  expect_refused("--store " + store + " --out " + (scratch_dir() / "no-such-dir" / "r.html").string(), "no-such-dir", out);
  expect_refused("--store " + store + " --out " + scratch_dir().string(), "--out is a directory", out);
  expect_refused("first --store " + store + " --out " + out, "RUN: expected a run id", out);
  expect_refused("--store " + store + " --metric-mode best --out " + out, "--metric-mode", out);
  expect_refused("--store " + store, "--out", out);
}

}  // namespace
}  // namespace wattcast::testing
