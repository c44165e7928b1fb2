#pragma once
// One way to name a run store, for every command: a path is an SQLite file, a postgresql:// (or
// postgres://) URL a shared PostgreSQL database.

#include <memory>
#include <string>

#include "store/run_store.h"
#include "store/spooling_store.h"

namespace wattcast {

bool is_shared_store(const std::string& location);

// Opens (creating when missing) the store at `location`.
Result<std::unique_ptr<RunStore>> open_store(const std::string& location);

// For commands that only read (runs, show, export, project, compare, report, exporter, estimate
// --store, ...): never creates a store nor changes one. `absent` is set when there is no store
// at `location` yet, so a reader that can wait for one (the exporter) tells that from an error.
Result<std::unique_ptr<RunStore>> open_store_for_reading(const std::string& location, bool* absent = nullptr);

// For the monitor, which must not lose a sample: a shared store sits behind a spool
// (spooling_store.h); an SQLite file is opened as by open_store. `spooling` is set to the spool
// when there is one, so the monitor can report on it.
Result<std::unique_ptr<RunStore>> open_store_for_monitor(const std::string& location, const SpoolOptions& options, SpoolingStore** spooling);

}  // namespace wattcast
