#pragma once
// A throwaway directory tree for tests that fake /proc or /sys: files are written with the
// content the test needs and the whole tree is removed when the object goes out of scope.

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace wattcast::testing {

class TempTree {
 public:
  TempTree() {
    std::string pattern = (std::filesystem::temp_directory_path() / "wattcast-test-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) ADD_FAILURE() << "mkdtemp failed for " << pattern;
    root_ = pattern;
  }
  ~TempTree() {
    std::error_code ignored;
    std::filesystem::remove_all(root_, ignored);
  }
  TempTree(const TempTree&) = delete;
  TempTree& operator=(const TempTree&) = delete;

  const std::string& root() const { return root_; }
  std::string path(const std::string& relative) const { return root_ + "/" + relative; }

  // Writes (or overwrites) root/relative, creating parent directories.
  void write(const std::string& relative, const std::string& content) const {
    const std::filesystem::path file = path(relative);
    std::filesystem::create_directories(file.parent_path());
    std::ofstream out(file, std::ios::trunc);
    out << content;
    if (!out) ADD_FAILURE() << "cannot write " << file;
  }

  void make_directory(const std::string& relative) const { std::filesystem::create_directories(path(relative)); }

 private:
  std::string root_;
};

}  // namespace wattcast::testing
