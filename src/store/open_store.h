#pragma once
// One way to name a run store, for every command: a path is an SQLite file, a postgresql:// (or
// postgres://) URL a shared PostgreSQL database.

#include <chrono>
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

struct MonitorStoreOptions {
  SpoolOptions spool;
  // The longest a write may wait on the store (a lock held by another session or program, a
  // server that is up but does not answer; measure's --store-timeout-s). Past it, a PostgreSQL
  // write goes to the spool, and an SQLite write is refused (its busy timeout) and tried again
  // with the monitor's next flush.
  std::chrono::milliseconds write_timeout{5000};
};

// For the monitor, which must not lose a sample nor wait on its store: a shared store sits
// behind a spool (spooling_store.h); an SQLite file is opened as by open_store. `spooling` is set
// to the spool when there is one, so the monitor can report on it.
Result<std::unique_ptr<RunStore>> open_store_for_monitor(const std::string& location, const MonitorStoreOptions& options, SpoolingStore** spooling);

}  // namespace wattcast
