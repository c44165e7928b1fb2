#pragma once
// Finds the reference data shipped with wattcast, relative to the running executable, so the
// build tree and an installed tree both work without absolute paths baked in.

#include <string>

#include "core/result.h"

namespace wattcast {

// Search order: $WATTCAST_DATA_DIR; <exe dir>/data (build tree); <exe dir>/../share/wattcast/data
// (installed). The directory must contain gpus.csv.
Result<std::string> find_data_dir();

}  // namespace wattcast
