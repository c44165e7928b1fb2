#pragma once
// Reading a whole input file the user named, with the one-line error a person expects: a folder
// given where a file belongs is said to be a folder, not "empty" or "malformed".

#include <string>

#include "core/result.h"

namespace wattcast {

// "runs.csv: no such file", "data/: is a directory, not a file", "x: cannot open file: ...".
Result<std::string> read_input_file(const std::string& path);

}  // namespace wattcast
