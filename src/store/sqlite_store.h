#pragma once
// The default run store: one SQLite file in WAL mode. Writes come in batches (one transaction
// per flush), so a monitor killed with SIGKILL loses at most the batch it had not flushed, and
// the file always opens cleanly.

#include <memory>
#include <string>

#include "store/run_store.h"

namespace wattcast {

inline constexpr int kStoreSchemaVersion = 1;

// Creates the file (and its schema) when missing. A store written by a newer wattcast is an
// error rather than something to guess at.
Result<std::unique_ptr<RunStore>> open_sqlite_store(const std::string& path);

}  // namespace wattcast
