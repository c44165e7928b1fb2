#include "core/data_dir.h"

#include <cstdlib>
#include <filesystem>
#include <vector>

namespace wattcast {

namespace fs = std::filesystem;

Result<std::string> find_data_dir() {
  std::vector<fs::path> candidates;
  if (const char* env = std::getenv("WATTCAST_DATA_DIR"); env && *env) candidates.emplace_back(env);
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    candidates.push_back(exe.parent_path() / "data");
    candidates.push_back(exe.parent_path().parent_path() / "share" / "wattcast" / "data");
  }
  for (const auto& dir : candidates) {
    if (fs::exists(dir / "gpus.csv", ec)) return dir.string();
  }
  std::string tried;
  for (const auto& dir : candidates) tried += (tried.empty() ? "" : ", ") + dir.string();
  return Error{"reference data not found (looked in " + tried + "); set WATTCAST_DATA_DIR to the folder with gpus.csv"};
}

}  // namespace wattcast
