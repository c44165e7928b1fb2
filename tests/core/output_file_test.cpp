#include "core/output_file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <future>

#include "fakes/temp_tree.h"

namespace wattcast {
namespace {

namespace fs = std::filesystem;
using testing::TempTree;

std::string read_all(const std::string& path) {
  std::ifstream in(path);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

TEST(OutputFileTest, WritesWholeFileAndLeavesNoTemporary) {
  TempTree dir;
  const std::string path = dir.path("out.txt");
  ASSERT_TRUE(write_output_file(path, "hello\n").ok());
  ASSERT_TRUE(write_output_file(path, "replaced\n").ok());
  EXPECT_EQ(read_all(path), "replaced\n");
  EXPECT_EQ(std::distance(fs::directory_iterator(dir.root()), fs::directory_iterator()), 1);
}

TEST(OutputFileTest, ReplacedFileKeepsItsPermissions) {
  TempTree dir;
  const std::string path = dir.path("out.txt");
  dir.write("out.txt", "old\n");
  fs::permissions(path, fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read);
  ASSERT_TRUE(write_output_file(path, "new\n").ok());
  EXPECT_EQ(fs::status(path).permissions() & fs::perms::all, fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read);
}

TEST(OutputFileTest, UnwritableDirectoryIsAnError) {
  auto status = write_output_file("/nonexistent-dir/out.txt", "x");
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.error().message.find("/nonexistent-dir/out.txt"), std::string::npos);
}

TEST(OutputFileTest, SymlinkIsFollowedAndStaysALink) {
  TempTree dir;
  dir.write("real/target.txt", "old\n");
  fs::create_symlink("real/target.txt", dir.path("link.txt"));
  ASSERT_TRUE(write_output_file(dir.path("link.txt"), "through the link\n").ok());
  EXPECT_TRUE(fs::is_symlink(dir.path("link.txt")));
  EXPECT_EQ(read_all(dir.path("real/target.txt")), "through the link\n");
}

TEST(OutputFileTest, DanglingSymlinkCreatesItsTarget) {
  TempTree dir;
  fs::create_symlink(dir.path("made.txt"), dir.path("link.txt"));
  ASSERT_TRUE(write_output_file(dir.path("link.txt"), "made\n").ok());
  EXPECT_TRUE(fs::is_symlink(dir.path("link.txt")));
  EXPECT_EQ(read_all(dir.path("made.txt")), "made\n");
}

TEST(OutputFileTest, DeviceIsWrittenDirectly) {
  // Renaming over /dev/null would need /dev to be writable (and, as root, would break it).
  ASSERT_TRUE(write_output_file("/dev/null", "discarded\n").ok());
  EXPECT_TRUE(fs::is_character_file("/dev/null"));
}

TEST(OutputFileTest, PipeIsWrittenDirectly) {
  TempTree dir;
  const std::string fifo = dir.path("fifo");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  // The reader's open completes once the writer opens the pipe: no timing involved.
  auto reader = std::async(std::launch::async, [&] { return read_all(fifo); });
  ASSERT_TRUE(write_output_file(fifo, "through the pipe\n").ok());
  EXPECT_EQ(reader.get(), "through the pipe\n");
  EXPECT_TRUE(fs::is_fifo(fifo));
}

}  // namespace
}  // namespace wattcast
