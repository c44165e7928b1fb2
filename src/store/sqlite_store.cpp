#include "store/sqlite_store.h"

#include <sqlite3.h>

#include <chrono>
#include <filesystem>
#include <mutex>
#include <thread>

#include "store/json_columns.h"

namespace wattcast {

namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS runs (
  id INTEGER PRIMARY KEY,
  command TEXT NOT NULL,
  start_s REAL NOT NULL,
  end_s REAL,
  exit_code INTEGER,
  end_reason TEXT NOT NULL DEFAULT '',
  host TEXT NOT NULL,
  tags_json TEXT NOT NULL,
  configuration_json TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS devices (
  id INTEGER PRIMARY KEY,
  run_id INTEGER NOT NULL REFERENCES runs(id),
  sensor TEXT NOT NULL,
  kind TEXT NOT NULL,
  name TEXT NOT NULL,
  uuid TEXT NOT NULL,
  device_index INTEGER NOT NULL,
  provenance TEXT NOT NULL,
  note TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS samples (
  device_id INTEGER NOT NULL REFERENCES devices(id),
  tick INTEGER NOT NULL,
  t_s REAL NOT NULL,
  power_w REAL,
  energy_j REAL,
  utilization_pct REAL,
  memory_used_bytes REAL,
  temperature_c REAL,
  sm_clock_mhz REAL,
  power_limit_w REAL,
  cpu_time_s REAL,
  rss_bytes REAL,
  PRIMARY KEY (device_id, tick)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS markers (
  id INTEGER PRIMARY KEY,
  run_id INTEGER NOT NULL REFERENCES runs(id),
  t_s REAL NOT NULL,
  type TEXT NOT NULL,
  epoch INTEGER NOT NULL,
  name TEXT NOT NULL,
  metrics_json TEXT NOT NULL,
  source TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS markers_by_run ON markers(run_id, t_s);
CREATE INDEX IF NOT EXISTS devices_by_run ON devices(run_id);
)sql";

// Added after schema 1 without changing it: created by every monitor that opens the store, and
// read only where it exists.
constexpr const char* kHeartbeats = "CREATE TABLE IF NOT EXISTS heartbeats (run_id INTEGER PRIMARY KEY, t_s REAL NOT NULL);";

// Owns a prepared statement for the duration of one call.
class Statement {
 public:
  Statement(sqlite3* db, const char* sql) { prepared_ = sqlite3_prepare_v2(db, sql, -1, &statement_, nullptr) == SQLITE_OK; }
  ~Statement() { sqlite3_finalize(statement_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  bool ok() const { return prepared_; }
  sqlite3_stmt* get() { return statement_; }
  void bind(int i, double v) { sqlite3_bind_double(statement_, i, v); }
  void bind(int i, int64_t v) { sqlite3_bind_int64(statement_, i, v); }
  void bind(int i, const std::string& v) { sqlite3_bind_text(statement_, i, v.c_str(), -1, SQLITE_TRANSIENT); }
  void bind(int i, const std::optional<double>& v) {
    if (v && std::isfinite(*v)) {
      sqlite3_bind_double(statement_, i, *v);
    } else {
      sqlite3_bind_null(statement_, i);
    }
  }
  void bind_null(int i) { sqlite3_bind_null(statement_, i); }
  int step() { return sqlite3_step(statement_); }
  void reset() {
    sqlite3_reset(statement_);
    sqlite3_clear_bindings(statement_);
  }
  std::optional<double> optional_double(int column) {
    if (sqlite3_column_type(statement_, column) == SQLITE_NULL) return std::nullopt;
    return sqlite3_column_double(statement_, column);
  }
  std::string text(int column) {
    const unsigned char* t = sqlite3_column_text(statement_, column);
    return t ? reinterpret_cast<const char*>(t) : "";
  }

 private:
  sqlite3_stmt* statement_ = nullptr;
  bool prepared_ = false;
};


class SqliteStore : public RunStore {
 public:
  SqliteStore(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  ~SqliteStore() override {
    insert_sample_.reset();  // an unfinalized statement would keep the connection open
    sqlite3_close(db_);
  }

  Result<int64_t> begin_run(const RunRecord& run) override {
    const std::lock_guard<std::mutex> lock(mutex_);
    Statement s(db_, "INSERT INTO runs(command, start_s, host, tags_json, configuration_json) VALUES (?, ?, ?, ?, ?)");
    if (!s.ok()) return failure("prepare run insert");
    s.bind(1, run.command);
    s.bind(2, run.start_s);
    s.bind(3, run.host);
    s.bind(4, tags_to_json(run.tags));
    s.bind(5, run.configuration_json);
    if (s.step() != SQLITE_DONE) return failure("insert run");
    return static_cast<int64_t>(sqlite3_last_insert_rowid(db_));
  }

  Result<int64_t> add_device(int64_t run_id, const std::string& sensor, const DeviceInfo& info) override {
    const std::lock_guard<std::mutex> lock(mutex_);
    Statement s(db_, "INSERT INTO devices(run_id, sensor, kind, name, uuid, device_index, provenance, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
    if (!s.ok()) return failure("prepare device insert");
    s.bind(1, run_id);
    s.bind(2, sensor);
    s.bind(3, info.kind);
    s.bind(4, info.name);
    s.bind(5, info.uuid);
    s.bind(6, static_cast<int64_t>(info.index));
    s.bind(7, std::string(provenance_name(info.provenance)));
    s.bind(8, info.note);
    if (s.step() != SQLITE_DONE) return failure("insert device");
    return static_cast<int64_t>(sqlite3_last_insert_rowid(db_));
  }

  Status append_samples(const std::vector<SampleRecord>& samples) override {
    const std::lock_guard<std::mutex> lock(mutex_);
    if (samples.empty()) return ok_status();
    // Prepared once and kept: the monitor appends a batch every second for hours.
    if (!insert_sample_) {
      insert_sample_ = std::make_unique<Statement>(
          db_,
          "INSERT INTO samples(device_id, tick, t_s, power_w, energy_j, utilization_pct, memory_used_bytes, temperature_c, "
          "sm_clock_mhz, power_limit_w, cpu_time_s, rss_bytes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
      if (!insert_sample_->ok()) {
        insert_sample_.reset();
        return failure("prepare sample insert");
      }
    }
    if (auto begun = exec("BEGIN"); !begun) return begun;
    Statement& s = *insert_sample_;
    for (const auto& sample : samples) {
      const Reading& r = sample.reading;
      s.bind(1, sample.device_id);
      s.bind(2, sample.tick);
      s.bind(3, sample.t_s);
      s.bind(4, std::optional<double>(r.power_w));
      s.bind(5, r.energy_j);
      s.bind(6, r.utilization_pct);
      s.bind(7, r.memory_used_bytes);
      s.bind(8, r.temperature_c);
      s.bind(9, r.sm_clock_mhz);
      s.bind(10, r.power_limit_w);
      s.bind(11, r.cpu_time_s);
      s.bind(12, r.rss_bytes);
      const bool inserted = s.step() == SQLITE_DONE;
      s.reset();
      if (!inserted) return rollback("insert sample");
    }
    return commit();
  }

  Status append_markers(const std::vector<MarkerRecord>& markers) override {
    const std::lock_guard<std::mutex> lock(mutex_);
    if (markers.empty()) return ok_status();
    if (auto begun = exec("BEGIN"); !begun) return begun;
    Statement s(db_, "INSERT INTO markers(run_id, t_s, type, epoch, name, metrics_json, source) VALUES (?, ?, ?, ?, ?, ?, ?)");
    if (!s.ok()) return rollback("prepare marker insert");
    for (const auto& m : markers) {
      s.bind(1, m.run_id);
      s.bind(2, m.t_s);
      s.bind(3, m.type);
      s.bind(4, static_cast<int64_t>(m.epoch));
      s.bind(5, m.name);
      s.bind(6, metrics_to_json(m.metrics));
      s.bind(7, m.source);
      if (s.step() != SQLITE_DONE) return rollback("insert marker");
      s.reset();
    }
    return commit();
  }

  Status finish_run(int64_t run_id, double end_s, std::optional<int> exit_code, const std::string& end_reason) override {
    const std::lock_guard<std::mutex> lock(mutex_);
    Statement s(db_, "UPDATE runs SET end_s = ?, exit_code = ?, end_reason = ? WHERE id = ?");
    if (!s.ok()) return failure("prepare run update");
    s.bind(1, end_s);
    if (exit_code) {
      s.bind(2, static_cast<int64_t>(*exit_code));
    } else {
      s.bind_null(2);
    }
    s.bind(3, end_reason);
    s.bind(4, run_id);
    if (s.step() != SQLITE_DONE) return failure("update run");
    return ok_status();
  }

  Status record_heartbeat(int64_t run_id, double t_s) override {
    const std::lock_guard<std::mutex> lock(mutex_);
    Statement s(db_, "INSERT INTO heartbeats(run_id, t_s) VALUES (?, ?) ON CONFLICT(run_id) DO UPDATE SET t_s = excluded.t_s");
    if (!s.ok()) return failure("prepare heartbeat");
    s.bind(1, run_id);
    s.bind(2, t_s);
    if (s.step() != SQLITE_DONE) return failure("record heartbeat");
    return ok_status();
  }

  Status replace_tags(int64_t run_id, const std::map<std::string, std::string>& tags) override {
    const std::lock_guard<std::mutex> lock(mutex_);
    Statement s(db_, "UPDATE runs SET tags_json = ? WHERE id = ?");
    if (!s.ok()) return failure("prepare tags update");
    s.bind(1, tags_to_json(tags));
    s.bind(2, run_id);
    if (s.step() != SQLITE_DONE) return failure("update tags");
    return ok_status();
  }

  Result<std::vector<RunRecord>> runs() override {
    const std::lock_guard<std::mutex> lock(mutex_);
    return query_runs(run_query("ORDER BY id"), 0);
  }

  Result<RunRecord> run(int64_t run_id) override {
    const std::lock_guard<std::mutex> lock(mutex_);
    auto found = query_runs(run_query("WHERE id = ?"), run_id);
    if (!found) return found.error();
    if (found->empty()) return Error{path_ + ": no run " + std::to_string(run_id) + " (see 'wattcast runs')"};
    return found->front();
  }

  Result<std::vector<DeviceRecord>> devices(int64_t run_id) override {
    const std::lock_guard<std::mutex> lock(mutex_);
    Statement s(db_, "SELECT id, run_id, sensor, kind, name, uuid, device_index, provenance, note FROM devices WHERE run_id = ? ORDER BY id");
    if (!s.ok()) return failure("prepare device query");
    s.bind(1, run_id);
    std::vector<DeviceRecord> out;
    int rc;
    while ((rc = s.step()) == SQLITE_ROW) {
      DeviceRecord d;
      d.id = sqlite3_column_int64(s.get(), 0);
      d.run_id = sqlite3_column_int64(s.get(), 1);
      d.sensor = s.text(2);
      d.info.kind = s.text(3);
      d.info.name = s.text(4);
      d.info.uuid = s.text(5);
      d.info.index = sqlite3_column_int(s.get(), 6);
      d.info.provenance = s.text(7) == "modelled" ? Provenance::kModelled : Provenance::kMeasured;
      d.info.note = s.text(8);
      out.push_back(std::move(d));
    }
    if (rc != SQLITE_DONE) return failure("query devices");
    return out;
  }

  Result<std::vector<MarkerRecord>> markers(int64_t run_id) override {
    const std::lock_guard<std::mutex> lock(mutex_);
    Statement s(db_, "SELECT run_id, t_s, type, epoch, name, metrics_json, source FROM markers WHERE run_id = ? ORDER BY t_s, id");
    if (!s.ok()) return failure("prepare marker query");
    s.bind(1, run_id);
    std::vector<MarkerRecord> out;
    int rc;
    while ((rc = s.step()) == SQLITE_ROW) {
      MarkerRecord m;
      m.run_id = sqlite3_column_int64(s.get(), 0);
      m.t_s = sqlite3_column_double(s.get(), 1);
      m.type = s.text(2);
      m.epoch = sqlite3_column_int(s.get(), 3);
      m.name = s.text(4);
      m.metrics = metrics_from_json(s.text(5));
      m.source = s.text(6);
      out.push_back(std::move(m));
    }
    if (rc != SQLITE_DONE) return failure("query markers");
    return out;
  }

  // One statement stepped row by row: SQLite holds no more than a page of it at a time.
  Status for_each_sample_after(int64_t run_id, int64_t after_tick, const SampleVisitor& visit) override {
    const std::lock_guard<std::mutex> lock(mutex_);
    Statement s(db_,
                "SELECT s.device_id, s.tick, s.t_s, s.power_w, s.energy_j, s.utilization_pct, s.memory_used_bytes, s.temperature_c, "
                "s.sm_clock_mhz, s.power_limit_w, s.cpu_time_s, s.rss_bytes FROM samples s JOIN devices d ON d.id = s.device_id "
                "WHERE d.run_id = ? AND s.tick > ? ORDER BY s.tick, s.device_id");
    if (!s.ok()) return failure("prepare sample query");
    s.bind(1, run_id);
    s.bind(2, after_tick);
    int rc;
    SampleRecord r;
    while ((rc = s.step()) == SQLITE_ROW) {
      r.device_id = sqlite3_column_int64(s.get(), 0);
      r.tick = sqlite3_column_int64(s.get(), 1);
      r.t_s = sqlite3_column_double(s.get(), 2);
      r.reading.power_w = s.optional_double(3).value_or(std::nan(""));
      r.reading.energy_j = s.optional_double(4);
      r.reading.utilization_pct = s.optional_double(5);
      r.reading.memory_used_bytes = s.optional_double(6);
      r.reading.temperature_c = s.optional_double(7);
      r.reading.sm_clock_mhz = s.optional_double(8);
      r.reading.power_limit_w = s.optional_double(9);
      r.reading.cpu_time_s = s.optional_double(10);
      r.reading.rss_bytes = s.optional_double(11);
      if (!visit(r)) return ok_status();
    }
    if (rc != SQLITE_DONE) return failure("query samples");
    return ok_status();
  }

 private:
  Error failure(const std::string& what) const { return Error{path_ + ": cannot " + what + ": " + sqlite3_errmsg(db_)}; }
  Status exec(const char* sql) {
    char* message = nullptr;
    if (sqlite3_exec(db_, sql, nullptr, nullptr, &message) != SQLITE_OK) {
      std::string text = message ? message : "unknown error";
      sqlite3_free(message);
      return Error{path_ + ": " + text};
    }
    return ok_status();
  }
  // A COMMIT that fails (SQLITE_BUSY) leaves the transaction open, and every later BEGIN would
  // fail with it: roll back, so the caller's retry starts afresh.
  Status commit() {
    Status committed = exec("COMMIT");
    if (!committed) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    return committed;
  }
  Status rollback(const std::string& what) {
    Error error = failure(what);
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    return error;
  }

  // The heartbeat from its table where the store has one (a reader may open a store older than it).
  std::string run_query(const std::string& tail) {
    Statement exists(db_, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'heartbeats'");
    const bool heartbeats = exists.ok() && exists.step() == SQLITE_ROW;
    return std::string("SELECT id, command, start_s, end_s, exit_code, end_reason, host, tags_json, configuration_json, ") +
           (heartbeats ? "(SELECT t_s FROM heartbeats h WHERE h.run_id = runs.id)" : "NULL") + " FROM runs " + tail;
  }

  Result<std::vector<RunRecord>> query_runs(const std::string& sql, int64_t run_id) {
    Statement s(db_, sql.c_str());
    if (!s.ok()) return failure("prepare run query");
    if (run_id != 0) s.bind(1, run_id);
    std::vector<RunRecord> out;
    int rc;
    while ((rc = s.step()) == SQLITE_ROW) {
      RunRecord r;
      r.id = sqlite3_column_int64(s.get(), 0);
      r.command = s.text(1);
      r.start_s = sqlite3_column_double(s.get(), 2);
      r.end_s = s.optional_double(3);
      if (auto code = s.optional_double(4)) r.exit_code = static_cast<int>(*code);
      r.end_reason = s.text(5);
      r.host = s.text(6);
      r.tags = tags_from_json(s.text(7));
      r.configuration_json = s.text(8);
      r.heartbeat_s = s.optional_double(9);
      out.push_back(std::move(r));
    }
    if (rc != SQLITE_DONE) return failure("query runs");
    return out;
  }

  sqlite3* db_;
  std::string path_;
  std::unique_ptr<Statement> insert_sample_;
  // The monitor's writer thread and its main thread share the connection; a transaction
  // must not interleave with another call.
  std::mutex mutex_;
};

}  // namespace

Result<std::unique_ptr<RunStore>> open_sqlite_store(const std::string& path, std::chrono::milliseconds busy_timeout) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, nullptr) != SQLITE_OK) {
    std::string message = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    return Error{path + ": cannot open the run store: " + message};
  }
  sqlite3_busy_timeout(db, static_cast<int>(busy_timeout.count()));
  auto store = std::make_unique<SqliteStore>(db, path);
  // Several monitors may open a new store at once (the ranks of a job): switching it to WAL can
  // fail with SQLITE_BUSY without waiting in the busy handler, so these few statements, all
  // idempotent, are tried again for a while.
  auto run_sql = [&](const char* sql) -> Status {
    for (int attempt = 0;; ++attempt) {
      char* message = nullptr;
      const int rc = sqlite3_exec(db, sql, nullptr, nullptr, &message);
      if (rc == SQLITE_OK) return ok_status();
      std::string text = message ? message : "unknown error";
      sqlite3_free(message);
      if (!sqlite3_get_autocommit(db)) sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
      if ((rc != SQLITE_BUSY && rc != SQLITE_LOCKED) || attempt >= 500) return Error{path + ": cannot use the run store: " + text};
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  };

  int version = 0;
  {
    Statement s(db, "PRAGMA user_version");
    if (!s.ok() || s.step() != SQLITE_ROW) return Error{path + ": not a wattcast run store (or not an SQLite file)"};
    version = sqlite3_column_int(s.get(), 0);
  }
  if (version > kStoreSchemaVersion) {
    return Error{path + ": written by a newer wattcast (store schema " + std::to_string(version) + ", this build reads up to " +
                 std::to_string(kStoreSchemaVersion) + "); upgrade wattcast"};
  }
  // WAL: readers never block the monitor, and a killed writer leaves a file that opens cleanly.
  // synchronous=NORMAL: a committed batch survives the process dying (not power loss).
  if (auto s = run_sql("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"); !s) return s.error();
  if (version == 0) {
    // One transaction, so a reader never sees half a schema (open_sqlite_store_for_reading).
    const std::string create = std::string("BEGIN IMMEDIATE;") + kSchema + "PRAGMA user_version=" + std::to_string(kStoreSchemaVersion) + "; COMMIT;";
    if (auto s = run_sql(create.c_str()); !s) return s.error();
  }
  if (auto s = run_sql(kHeartbeats); !s) return s.error();
  return std::unique_ptr<RunStore>(std::move(store));
}

Result<std::unique_ptr<RunStore>> open_sqlite_store_for_reading(const std::string& path, bool* absent) {
  auto not_there = [&](const std::string& what) -> Error {
    if (absent) *absent = true;
    return Error{path + ": " + what};
  };
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return not_there("no run store here (measure a run first, or give --store)");
  if (std::filesystem::is_regular_file(path, ec) && std::filesystem::file_size(path, ec) == 0) {
    return not_there("an empty file, not a run store yet (measure a run into it first)");
  }
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_FULLMUTEX, nullptr) != SQLITE_OK) {
    std::string message = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    return Error{path + ": cannot open the run store: " + message};
  }
  sqlite3_busy_timeout(db, 5000);
  auto store = std::make_unique<SqliteStore>(db, path);
  int version = 0, tables = 0;
  {
    Statement s(db, "PRAGMA user_version");
    if (!s.ok() || s.step() != SQLITE_ROW) return Error{path + ": not a wattcast run store (or not an SQLite file)"};
    version = sqlite3_column_int(s.get(), 0);
  }
  {
    Statement s(db, "SELECT count(*) FROM sqlite_master");
    if (!s.ok() || s.step() != SQLITE_ROW) return Error{path + ": not a wattcast run store (or not an SQLite file)"};
    tables = sqlite3_column_int(s.get(), 0);
  }
  if (version == 0 && tables == 0) return not_there("an empty database, not a run store yet (measure a run into it first)");
  if (version == 0) return Error{path + ": not a wattcast run store (an SQLite file of another program?)"};
  if (version > kStoreSchemaVersion) {
    return Error{path + ": written by a newer wattcast (store schema " + std::to_string(version) + ", this build reads up to " +
                 std::to_string(kStoreSchemaVersion) + "); upgrade wattcast"};
  }
  return std::unique_ptr<RunStore>(std::move(store));
}

}  // namespace wattcast
