#pragma once
// The default run store: one SQLite file in WAL mode. Writes come in batches (one transaction
// per flush), so a monitor killed with SIGKILL loses at most the batch it had not flushed, and
// the file always opens cleanly.

#include <chrono>
#include <memory>
#include <string>

#include "store/run_store.h"

namespace wattcast {

inline constexpr int kStoreSchemaVersion = 1;

// Creates the file (and its schema) when missing. A store written by a newer wattcast is an
// error rather than something to guess at. `busy_timeout`: how long a statement waits for a lock
// another connection holds before it is refused (SQLITE_BUSY).
Result<std::unique_ptr<RunStore>> open_sqlite_store(const std::string& path, std::chrono::milliseconds busy_timeout = std::chrono::seconds(5));

// For commands that only read: opened read-only, so neither a missing file, an empty one nor
// another program's SQLite database is created or changed. `absent` is set when there is no
// store there yet (no file, an empty file, or an empty database a monitor is creating).
Result<std::unique_ptr<RunStore>> open_sqlite_store_for_reading(const std::string& path, bool* absent);

}  // namespace wattcast
