// Commands that only read a store never create one nor change one: not an empty file, not
// another program's SQLite database, not a store that is there.

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <map>

#include "cli/cli_runner.h"

namespace wattcast::testing {
namespace {

namespace fs = std::filesystem;

const char* kReadingCommands[] = {
    "runs --store STORE",
    "show 1 --store STORE",
    "export 1 --store STORE",
    "project 1 --store STORE",
    "segment 1 --store STORE",
    "compare STORE --by batch --metric energy_j",
    "report --store STORE --out /dev/null",
    "estimate --gpu 'h100 sxm' --gflops 4.1 --input-size 224 --batch-size 128 --train-samples 50000 --val-samples 10000 --epochs 10 "
    "--ram-gb 64 --method roofline --store STORE",
};

std::string with_store(std::string command, const std::string& store) {
  for (size_t at = command.find("STORE"); at != std::string::npos; at = command.find("STORE", at + store.size())) {
    command.replace(at, 5, store);
  }
  return command;
}

// Every file in the folder (a store's -wal and -shm too), with its content.
std::map<std::string, std::string> folder_contents(const fs::path& dir) {
  std::map<std::string, std::string> out;
  for (const auto& entry : fs::directory_iterator(dir)) out[entry.path().filename().string()] = read_text(entry.path().string());
  return out;
}

fs::path fresh_folder(const std::string& name) {
  const fs::path dir = scratch_dir() / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

TEST(ReadOnlyTest, AnEmptyFileStaysEmpty) {
  const fs::path dir = fresh_folder("read_only_empty");
  const std::string store = (dir / "z.db").string();
  write_scratch("read_only_empty/z.db", "");
  for (const char* command : kReadingCommands) {
    auto result = run_cli(with_store(command, store));
    EXPECT_EQ(result.exit_code, 2) << command << ": " << result.err;
    EXPECT_NE(result.err.find("z.db"), std::string::npos) << command << ": " << result.err;
    EXPECT_EQ(fs::file_size(store), 0u) << command;
  }
  EXPECT_EQ(folder_contents(dir).size(), 1u);
}

TEST(ReadOnlyTest, AnotherProgramsDatabaseIsNotTouched) {
  const fs::path dir = fresh_folder("read_only_other");
  const std::string store = (dir / "other-app.db").string();
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(store.c_str(), &db), SQLITE_OK);
  EXPECT_EQ(sqlite3_exec(db, "CREATE TABLE notes(text TEXT); INSERT INTO notes VALUES ('mine')", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  const auto before = folder_contents(dir);
  for (const char* command : kReadingCommands) {
    auto result = run_cli(with_store(command, store));
    EXPECT_EQ(result.exit_code, 2) << command << ": " << result.err;
    EXPECT_NE(result.err.find("not a wattcast run store"), std::string::npos) << command << ": " << result.err;
    EXPECT_EQ(folder_contents(dir), before) << command;
  }
}

TEST(ReadOnlyTest, AMissingStoreIsNotCreated) {
  const fs::path dir = fresh_folder("read_only_missing");
  for (const char* command : kReadingCommands) {
    auto result = run_cli(with_store(command, (dir / "none.db").string()));
    EXPECT_EQ(result.exit_code, 2) << command << ": " << result.err;
    EXPECT_TRUE(fs::is_empty(dir)) << command;
  }
}

}  // namespace
}  // namespace wattcast::testing
