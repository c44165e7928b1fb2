// What only the SQLite back end has: a file. The behaviour both back ends share is in
// run_store_test.cpp.

#include "store/sqlite_store.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace wattcast {
namespace {

namespace fs = std::filesystem;

TEST(SqliteStoreTest, NotADatabaseAndUnwritablePathAreErrors) {
  const fs::path dir = fs::temp_directory_path() / ("wattcast_sqlite_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::ofstream(dir / "junk.db") << "this is not sqlite, not at all, really";
  EXPECT_FALSE(open_sqlite_store((dir / "junk.db").string()).ok());
  auto missing_dir = open_sqlite_store((dir / "no" / "such" / "dir" / "runs.db").string());
  ASSERT_FALSE(missing_dir.ok());
  EXPECT_NE(missing_dir.error().message.find("runs.db"), std::string::npos);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace wattcast
