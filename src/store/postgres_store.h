#pragma once
// A run store shared by many monitors: one PostgreSQL database, same tables and behaviour as the
// SQLite store (sqlite_store.h). Ids come from sequences, so monitors on many nodes write at
// once; a batch of samples is one COPY in one transaction, all or none.

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "store/remote_store.h"

namespace wattcast {

// "postgresql://..." or "postgres://...": a libpq connection URL.
bool is_postgres_url(const std::string& location);

// The URL with any password (user:PASSWORD@ or ?password=) replaced by ***.
std::string mask_password(const std::string& url);

// Connects and creates the schema when missing (safe when several monitors start together). A
// server that cannot be reached, refused credentials, or a schema from a newer wattcast are
// one-line errors naming the URL, password masked.
// `write_timeout`: for a monitor, which must not wait on a server that is up but does not answer
// (stopped, or a table locked by another session): a write not done in this time fails as if
// the server were unreachable (connection_lost()), and connecting is bounded alike. Without it,
// writes take as long as they take (an import, a replay a person runs).
Result<std::unique_ptr<RemoteStore>> open_postgres_store(const std::string& url,
                                                         std::optional<std::chrono::milliseconds> write_timeout = std::nullopt);

// For commands that only read: creates nothing. `absent` is set when the database has no
// wattcast tables yet.
Result<std::unique_ptr<RunStore>> open_postgres_store_for_reading(const std::string& url, bool* absent);

}  // namespace wattcast
