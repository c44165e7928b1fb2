#pragma once
// Paths the tests need: the source tree (for data/ and golden files) and the built CLI.

#include <cstdlib>
#include <string>

namespace wattcast::testing {

inline std::string source_dir() { return WATTCAST_SOURCE_DIR; }
inline std::string data_dir() { return source_dir() + "/data"; }
inline std::string reference_runs_csv() { return data_dir() + "/pre_runs.csv"; }

}  // namespace wattcast::testing
