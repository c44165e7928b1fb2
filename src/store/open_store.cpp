#include "store/open_store.h"

#include "store/postgres_store.h"
#include "store/sqlite_store.h"

namespace wattcast {

bool is_shared_store(const std::string& location) { return is_postgres_url(location); }

Result<std::unique_ptr<RunStore>> open_store(const std::string& location) {
  if (is_postgres_url(location)) {
    auto store = open_postgres_store(location);
    if (!store) return store.error();
    return std::unique_ptr<RunStore>(std::move(store).value());
  }
  return open_sqlite_store(location);
}

Result<std::unique_ptr<RunStore>> open_store_for_reading(const std::string& location, bool* absent) {
  if (absent) *absent = false;
  if (is_postgres_url(location)) return open_postgres_store_for_reading(location, absent);
  return open_sqlite_store_for_reading(location, absent);
}

Result<std::unique_ptr<RunStore>> open_store_for_monitor(const std::string& location, const MonitorStoreOptions& options, SpoolingStore** spooling) {
  *spooling = nullptr;
  if (!is_postgres_url(location)) return open_sqlite_store(location, options.write_timeout);
  auto remote = open_postgres_store(location, options.write_timeout);
  if (!remote) return remote.error();
  auto store = std::make_unique<SpoolingStore>(std::move(remote).value(), options.spool);
  *spooling = store.get();
  return std::unique_ptr<RunStore>(std::move(store));
}

}  // namespace wattcast
