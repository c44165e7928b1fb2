#include "core/atomic_file.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace wattcast {
namespace {

namespace fs = std::filesystem;

TEST(AtomicFileTest, WritesWholeFileAndLeavesNoTemporary) {
  const fs::path dir = fs::temp_directory_path() / "wattcast_atomic_test";
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string path = (dir / "out.txt").string();
  ASSERT_TRUE(write_file_atomically(path, "hello\n").ok());
  ASSERT_TRUE(write_file_atomically(path, "replaced\n").ok());
  std::ifstream in(path);
  std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(content, "replaced\n");
  EXPECT_EQ(std::distance(fs::directory_iterator(dir), fs::directory_iterator()), 1);
  fs::remove_all(dir);
}

TEST(AtomicFileTest, UnwritableDirectoryIsAnError) {
  auto status = write_file_atomically("/nonexistent-dir/out.txt", "x");
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.error().message.find("/nonexistent-dir/out.txt"), std::string::npos);
}

}  // namespace
}  // namespace wattcast
