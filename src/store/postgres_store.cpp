#include "store/postgres_store.h"

#include <algorithm>
#include <cmath>
#include <mutex>
#include <tuple>

#include <fmt/format.h>
#include <pqxx/pqxx>

#include "store/json_columns.h"
#include "store/socket_deadline.h"
#include "store/sqlite_store.h"  // kStoreSchemaVersion: both back ends share one schema history

namespace wattcast {

namespace {

// The same tables and columns as the SQLite store; ids from sequences (BIGSERIAL) so monitors on
// many nodes insert at once. JSON stays TEXT, as in SQLite, so both stores read alike.
constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS wattcast_schema (version INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS runs (
  id BIGSERIAL PRIMARY KEY,
  command TEXT NOT NULL,
  start_s DOUBLE PRECISION NOT NULL,
  end_s DOUBLE PRECISION,
  exit_code INTEGER,
  end_reason TEXT NOT NULL DEFAULT '',
  host TEXT NOT NULL,
  tags_json TEXT NOT NULL,
  configuration_json TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS devices (
  id BIGSERIAL PRIMARY KEY,
  run_id BIGINT NOT NULL REFERENCES runs(id),
  sensor TEXT NOT NULL,
  kind TEXT NOT NULL,
  name TEXT NOT NULL,
  uuid TEXT NOT NULL,
  device_index INTEGER NOT NULL,
  provenance TEXT NOT NULL,
  note TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS samples (
  device_id BIGINT NOT NULL REFERENCES devices(id),
  tick BIGINT NOT NULL,
  t_s DOUBLE PRECISION NOT NULL,
  power_w DOUBLE PRECISION,
  energy_j DOUBLE PRECISION,
  utilization_pct DOUBLE PRECISION,
  memory_used_bytes DOUBLE PRECISION,
  temperature_c DOUBLE PRECISION,
  sm_clock_mhz DOUBLE PRECISION,
  power_limit_w DOUBLE PRECISION,
  cpu_time_s DOUBLE PRECISION,
  rss_bytes DOUBLE PRECISION,
  PRIMARY KEY (device_id, tick));
CREATE TABLE IF NOT EXISTS markers (
  id BIGSERIAL PRIMARY KEY,
  run_id BIGINT NOT NULL REFERENCES runs(id),
  t_s DOUBLE PRECISION NOT NULL,
  type TEXT NOT NULL,
  epoch INTEGER NOT NULL,
  name TEXT NOT NULL,
  metrics_json TEXT NOT NULL,
  source TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS markers_by_run ON markers(run_id, t_s);
CREATE INDEX IF NOT EXISTS devices_by_run ON devices(run_id);
)sql";

// Added after schema 1 without changing it: created by every monitor, read only where it exists.
constexpr const char* kHeartbeats = "CREATE TABLE IF NOT EXISTS heartbeats (run_id BIGINT PRIMARY KEY, t_s DOUBLE PRECISION NOT NULL)";

// Serializes schema creation between monitors that start together: concurrent CREATE TABLE IF
// NOT EXISTS can still collide in the catalog. "wattcast" in ASCII.
constexpr int64_t kSchemaLockKey = 0x7761747463617374;

// Marker batches of one run take this advisory lock (with the run's id as the second key) for
// their transaction; see PostgresStore::lock_run_markers.
constexpr int32_t kMarkerLockClass = 0x77617463;

// A server that cancels a bounded write itself (statement_timeout) answers with this: the
// monitor then gets its error back well before its own deadline cuts the connection.
constexpr std::chrono::milliseconds kAnswerGrace{1000};

// libpq's defaults wait minutes for a dead server (TCP retransmission); a monitor must notice
// within seconds so it can spool. Added only where the URL does not set them.
std::string with_connection_defaults(const std::string& url, int connect_timeout_s) {
  std::string out = url;
  const std::string connect_timeout = "connect_timeout=" + std::to_string(connect_timeout_s);
  for (const std::string& setting : {connect_timeout, std::string("keepalives_idle=10"), std::string("keepalives_interval=5"),
                                     std::string("keepalives_count=3"), std::string("tcp_user_timeout=20000"),
                                     std::string("fallback_application_name=wattcast")}) {
    const std::string key = setting.substr(0, setting.find('=') + 1);
    if (out.find("?" + key) != std::string::npos || out.find("&" + key) != std::string::npos) continue;
    out += (out.find('?') == std::string::npos ? "?" : "&");
    out += setting;
  }
  return out;
}

// libpq's messages span lines ("...failed: Connection refused\n\tIs the server running...").
std::string one_line(const std::string& text) {
  std::string out;
  bool space = false;
  for (char c : text) {
    if (c == '\n' || c == '\r' || c == '\t' || c == ' ') {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

std::optional<double> finite(const std::optional<double>& v) {
  if (v && std::isfinite(*v)) return v;
  return std::nullopt;
}

std::optional<double> optional_double(const pqxx::field& f) {
  if (f.is_null()) return std::nullopt;
  return f.as<double>();
}


// SQLSTATE classes that mean the session is gone, not that the statement was wrong: 08
// (connection exception) and 57P (the server shutting down or crashing).
bool is_connection_state(const std::string& sqlstate) { return sqlstate.rfind("08", 0) == 0 || sqlstate.rfind("57P", 0) == 0; }

// What a call does, for the bound on writes.
enum class Access { kRead, kWrite };

class PostgresStore : public RemoteStore {
 public:
  PostgresStore(std::string url, std::optional<std::chrono::milliseconds> write_timeout)
      : url_(std::move(url)), display_(mask_password(url_)), write_timeout_(write_timeout) {
    if (write_timeout_) deadline_ = std::make_unique<SocketDeadline>();
  }

  bool connection_lost() const override {
    const std::lock_guard<std::mutex> lock(mutex_);
    return connection_lost_;
  }

  Status reconnect() override {
    const std::lock_guard<std::mutex> lock(mutex_);
    connection_.reset();
    return connect();
  }

  std::string display_name() const override { return display_; }

  Result<int64_t> begin_run(const RunRecord& run) override {
    return call<int64_t>("insert run", Access::kWrite, [&](pqxx::work& tx) {
      return tx
          .exec_params1("INSERT INTO runs(command, start_s, host, tags_json, configuration_json) VALUES ($1, $2, $3, $4, $5) RETURNING id",
                        run.command, run.start_s, run.host, tags_to_json(run.tags), run.configuration_json)[0]
          .as<int64_t>();
    });
  }

  Result<int64_t> add_device(int64_t run_id, const std::string& sensor, const DeviceInfo& info) override {
    return call<int64_t>("insert device", Access::kWrite, [&](pqxx::work& tx) {
      return tx
          .exec_params1(
              "INSERT INTO devices(run_id, sensor, kind, name, uuid, device_index, provenance, note) "
              "VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
              run_id, sensor, info.kind, info.name, info.uuid, info.index, std::string(provenance_name(info.provenance)), info.note)[0]
          .as<int64_t>();
    });
  }

  Status append_samples(const std::vector<SampleRecord>& samples) override {
    if (samples.empty()) return ok_status();
    return call<Ok>("append samples", Access::kWrite, [&](pqxx::work& tx) {
      copy_samples(tx, samples);
      return Ok{};
    });
  }

  Status replay_samples(const std::vector<SampleRecord>& samples) override {
    if (samples.empty()) return ok_status();
    // ON CONFLICT, not a look first: the write that timed out may still be running in the
    // server, its rows not yet visible. An INSERT that meets its uncommitted keys waits for its
    // outcome, then skips the rows it committed or stores them if it rolled back.
    return call<Ok>("replay samples", Access::kWrite, [&](pqxx::work& tx) {
      tx.exec("CREATE TEMPORARY TABLE spooled_samples (LIKE samples) ON COMMIT DROP");
      copy_samples(tx, samples, "spooled_samples");
      tx.exec("INSERT INTO samples SELECT * FROM spooled_samples ON CONFLICT (device_id, tick) DO NOTHING");
      return Ok{};
    });
  }

  Status append_markers(const std::vector<MarkerRecord>& markers) override {
    if (markers.empty()) return ok_status();
    return call<Ok>("append markers", Access::kWrite, [&](pqxx::work& tx) {
      lock_run_markers(tx, markers.front().run_id);
      insert_markers(tx, markers);
      return Ok{};
    });
  }

  Status replay_markers(const std::vector<MarkerRecord>& markers) override {
    if (markers.empty()) return ok_status();
    return call<Ok>("replay markers", Access::kWrite, [&](pqxx::work& tx) {
      const MarkerRecord& m = markers.front();
      lock_run_markers(tx, m.run_id);
      if (tx.exec_params("SELECT 1 FROM markers WHERE run_id = $1 AND t_s = $2 AND type = $3 AND epoch = $4 AND name = $5 AND source = $6",
                         m.run_id, m.t_s, m.type, m.epoch, m.name, m.source)
              .empty()) {
        insert_markers(tx, markers);
      }
      return Ok{};
    });
  }

  Status finish_run(int64_t run_id, double end_s, std::optional<int> exit_code, const std::string& end_reason) override {
    return call<Ok>("update run", Access::kWrite, [&](pqxx::work& tx) {
      tx.exec_params0("UPDATE runs SET end_s = $1, exit_code = $2, end_reason = $3 WHERE id = $4", end_s, exit_code, end_reason, run_id);
      return Ok{};
    });
  }

  Status record_heartbeat(int64_t run_id, double t_s) override {
    return call<Ok>("record heartbeat", Access::kWrite, [&](pqxx::work& tx) {
      tx.exec_params0("INSERT INTO heartbeats(run_id, t_s) VALUES ($1, $2) ON CONFLICT (run_id) DO UPDATE SET t_s = excluded.t_s", run_id, t_s);
      return Ok{};
    });
  }

  Status replace_tags(int64_t run_id, const std::map<std::string, std::string>& tags) override {
    return call<Ok>("update tags", Access::kWrite, [&](pqxx::work& tx) {
      tx.exec_params0("UPDATE runs SET tags_json = $1 WHERE id = $2", tags_to_json(tags), run_id);
      return Ok{};
    });
  }

  Result<std::vector<RunRecord>> runs() override {
    return call<std::vector<RunRecord>>("query runs", Access::kRead, [&](pqxx::work& tx) { return to_runs(tx.exec(run_columns(tx) + " ORDER BY id")); });
  }

  Result<RunRecord> run(int64_t run_id) override {
    auto found = call<std::vector<RunRecord>>(
        "query runs", Access::kRead, [&](pqxx::work& tx) { return to_runs(tx.exec_params(run_columns(tx) + " WHERE id = $1", run_id)); });
    if (!found) return found.error();
    if (found->empty()) return Error{display_ + ": no run " + std::to_string(run_id) + " (see 'wattcast runs')"};
    return found->front();
  }

  Result<std::vector<DeviceRecord>> devices(int64_t run_id) override {
    return call<std::vector<DeviceRecord>>("query devices", Access::kRead, [&](pqxx::work& tx) {
      std::vector<DeviceRecord> out;
      for (const auto& row : tx.exec_params(
               "SELECT id, run_id, sensor, kind, name, uuid, device_index, provenance, note FROM devices WHERE run_id = $1 ORDER BY id", run_id)) {
        DeviceRecord d;
        d.id = row[0].as<int64_t>();
        d.run_id = row[1].as<int64_t>();
        d.sensor = row[2].as<std::string>();
        d.info.kind = row[3].as<std::string>();
        d.info.name = row[4].as<std::string>();
        d.info.uuid = row[5].as<std::string>();
        d.info.index = row[6].as<int>();
        d.info.provenance = row[7].as<std::string>() == "modelled" ? Provenance::kModelled : Provenance::kMeasured;
        d.info.note = row[8].as<std::string>();
        out.push_back(std::move(d));
      }
      return out;
    });
  }

  Result<std::vector<MarkerRecord>> markers(int64_t run_id) override {
    return call<std::vector<MarkerRecord>>("query markers", Access::kRead, [&](pqxx::work& tx) {
      std::vector<MarkerRecord> out;
      for (const auto& row :
           tx.exec_params("SELECT run_id, t_s, type, epoch, name, metrics_json, source FROM markers WHERE run_id = $1 ORDER BY t_s, id", run_id)) {
        MarkerRecord m;
        m.run_id = row[0].as<int64_t>();
        m.t_s = row[1].as<double>();
        m.type = row[2].as<std::string>();
        m.epoch = row[3].as<int>();
        m.name = row[4].as<std::string>();
        m.metrics = metrics_from_json(row[5].as<std::string>());
        m.source = row[6].as<std::string>();
        out.push_back(std::move(m));
      }
      return out;
    });
  }

  // Through a cursor, a chunk of rows at a time, in one read transaction: the client holds one
  // chunk, not the run.
  Status for_each_sample_after(int64_t run_id, int64_t after_tick, const SampleVisitor& visit) override {
    constexpr pqxx::cursor_base::difference_type kChunkRows = 10000;
    auto read = call<Ok>("query samples", Access::kRead, [&](pqxx::work& tx) -> Result<Ok> {
      pqxx::stateless_cursor<pqxx::cursor_base::read_only, pqxx::cursor_base::owned> cursor(
          tx,
          "SELECT s.device_id, s.tick, s.t_s, s.power_w, s.energy_j, s.utilization_pct, s.memory_used_bytes, s.temperature_c, "
          "s.sm_clock_mhz, s.power_limit_w, s.cpu_time_s, s.rss_bytes FROM samples s JOIN devices d ON d.id = s.device_id "
          "WHERE d.run_id = " + std::to_string(run_id) + " AND s.tick > " + std::to_string(after_tick) + " ORDER BY s.tick, s.device_id",
          "wattcast_samples", false);
      SampleRecord r;
      for (pqxx::cursor_base::difference_type first = 0;; first += kChunkRows) {
        const pqxx::result rows = cursor.retrieve(first, first + kChunkRows);
        for (const auto& row : rows) {
          r.device_id = row[0].as<int64_t>();
          r.tick = row[1].as<int64_t>();
          r.t_s = row[2].as<double>();
          r.reading.power_w = optional_double(row[3]).value_or(std::nan(""));
          r.reading.energy_j = optional_double(row[4]);
          r.reading.utilization_pct = optional_double(row[5]);
          r.reading.memory_used_bytes = optional_double(row[6]);
          r.reading.temperature_c = optional_double(row[7]);
          r.reading.sm_clock_mhz = optional_double(row[8]);
          r.reading.power_limit_w = optional_double(row[9]);
          r.reading.cpu_time_s = optional_double(row[10]);
          r.reading.rss_bytes = optional_double(row[11]);
          if (!visit(r)) return Ok{};
        }
        if (rows.size() < static_cast<size_t>(kChunkRows)) return Ok{};
      }
    });
    if (!read) return read.error();
    return ok_status();
  }

  // Connects (when not connected) and creates or checks the schema.
  Status connect() {
    try {
      if (!connection_) connection_ = std::make_unique<pqxx::connection>(with_connection_defaults(url_, connect_timeout_s()));
    } catch (const std::exception& e) {
      connection_lost_ = true;
      return Error{display_ + ": cannot connect: " + one_line(e.what())};
    }
    connection_lost_ = false;
    return ok_status();
  }

  // For readers: the schema must be there already; nothing is created. `absent`: it is not.
  Status check_schema(bool* absent) {
    return call<Ok>("read the schema", Access::kRead, [&](pqxx::work& tx) -> Result<Ok> {
      if (tx.exec("SELECT to_regclass('wattcast_schema')")[0][0].is_null()) {
        *absent = true;
        return Error{display_ + ": no wattcast run store in this database yet (measure a run into it first)"};
      }
      const pqxx::result version = tx.exec("SELECT max(version) FROM wattcast_schema");
      const int found = version[0][0].is_null() ? 0 : version[0][0].as<int>();
      if (found > kStoreSchemaVersion) {
        return Error{display_ + ": written by a newer wattcast (store schema " + std::to_string(found) + ", this build reads up to " +
                     std::to_string(kStoreSchemaVersion) + "); upgrade wattcast"};
      }
      return Ok{};
    });
  }

  Status prepare_schema() {
    return call<Ok>("prepare the schema", Access::kWrite, [&](pqxx::work& tx) -> Result<Ok> {
      tx.exec_params("SELECT pg_advisory_xact_lock($1)", kSchemaLockKey);
      if (!tx.exec("SELECT to_regclass('wattcast_schema')")[0][0].is_null()) {
        const pqxx::result version = tx.exec("SELECT max(version) FROM wattcast_schema");
        const int found = version[0][0].is_null() ? 0 : version[0][0].as<int>();
        if (found > kStoreSchemaVersion) {
          return Error{display_ + ": written by a newer wattcast (store schema " + std::to_string(found) + ", this build reads up to " +
                       std::to_string(kStoreSchemaVersion) + "); upgrade wattcast"};
        }
        if (found == kStoreSchemaVersion) {
          tx.exec(kHeartbeats);
          return Ok{};
        }
      }
      tx.exec(kSchema);
      tx.exec(kHeartbeats);
      tx.exec("DELETE FROM wattcast_schema");
      tx.exec_params("INSERT INTO wattcast_schema(version) VALUES ($1)", kStoreSchemaVersion);
      return Ok{};
    });
  }

 private:
  // The heartbeat from its table where the database has one (a reader may open a store older than it).
  static std::string run_columns(pqxx::work& tx) {
    const bool heartbeats = !tx.exec("SELECT to_regclass('heartbeats')")[0][0].is_null();
    return std::string("SELECT id, command, start_s, end_s, exit_code, end_reason, host, tags_json, configuration_json, ") +
           (heartbeats ? "(SELECT t_s FROM heartbeats h WHERE h.run_id = runs.id)" : "NULL::DOUBLE PRECISION") + " FROM runs";
  }

  static std::vector<RunRecord> to_runs(const pqxx::result& rows) {
    std::vector<RunRecord> out;
    for (const auto& row : rows) {
      RunRecord r;
      r.id = row[0].as<int64_t>();
      r.command = row[1].as<std::string>();
      r.start_s = row[2].as<double>();
      r.end_s = optional_double(row[3]);
      if (!row[4].is_null()) r.exit_code = row[4].as<int>();
      r.end_reason = row[5].as<std::string>();
      r.host = row[6].as<std::string>();
      r.tags = tags_from_json(row[7].as<std::string>());
      r.configuration_json = row[8].as<std::string>();
      r.heartbeat_s = optional_double(row[9]);
      out.push_back(std::move(r));
    }
    return out;
  }

  // COPY, not one INSERT per row: a monitor appends a batch every second, and hundreds of
  // monitors share the server.
  static void copy_samples(pqxx::work& tx, const std::vector<SampleRecord>& samples, const std::string& table = "samples") {
    static const std::vector<std::string> kColumns = {"device_id", "tick",          "t_s",          "power_w",    "energy_j",  "utilization_pct",
                                                      "memory_used_bytes", "temperature_c", "sm_clock_mhz", "power_limit_w", "cpu_time_s", "rss_bytes"};
    pqxx::stream_to stream(tx, table, kColumns);
    for (const auto& s : samples) {
      const Reading& r = s.reading;
      stream << std::make_tuple(s.device_id, s.tick, s.t_s, finite(r.power_w), finite(r.energy_j), finite(r.utilization_pct),
                                finite(r.memory_used_bytes), finite(r.temperature_c), finite(r.sm_clock_mhz), finite(r.power_limit_w),
                                finite(r.cpu_time_s), finite(r.rss_bytes));
    }
    stream.complete();
  }

  // Markers have no key that would tell a batch stored twice (only an id from a sequence), so a
  // replay looks for the batch's first marker. A write the monitor gave up on may still be
  // running in the server, cut off on the monitor's side but not cancelled (a stopped server
  // resumes and commits it); it holds this lock until it ends, so the replay's look comes after.
  static void lock_run_markers(pqxx::work& tx, int64_t run_id) {
    tx.exec_params("SELECT pg_advisory_xact_lock($1, $2)", kMarkerLockClass, static_cast<int32_t>(run_id));
  }

  static void insert_markers(pqxx::work& tx, const std::vector<MarkerRecord>& markers) {
    for (const auto& m : markers) {
      tx.exec_params0("INSERT INTO markers(run_id, t_s, type, epoch, name, metrics_json, source) VALUES ($1, $2, $3, $4, $5, $6, $7)", m.run_id, m.t_s,
                      m.type, m.epoch, m.name, metrics_to_json(m.metrics), m.source);
    }
  }

  // Runs `body` in one transaction on the connection, connecting first when needed. Every
  // failure becomes an Error; one that means the server is gone also drops the connection, so
  // the next call connects again. A bounded write that does not finish in time counts as the
  // server gone: the server cancels it at the bound (statement_timeout), and if it does not
  // answer even that, the socket is cut kAnswerGrace later.
  template <typename T, typename Body>
  Result<T> call(const char* what, Access access, Body&& body) {
    const std::lock_guard<std::mutex> lock(mutex_);
    if (auto connected = connect(); !connected) return connected.error();
    const bool bounded = access == Access::kWrite && write_timeout_;
    if (bounded) deadline_->arm(connection_->sock(), *write_timeout_ + kAnswerGrace);
    std::optional<Result<T>> result;
    std::string problem, sqlstate;
    bool lost = false;
    try {
      pqxx::work tx(*connection_);
      if (bounded) tx.exec("SET LOCAL statement_timeout = " + std::to_string(write_timeout_->count()));
      Result<T> done = body(tx);
      if (done) tx.commit();
      result = std::move(done);
    } catch (const pqxx::broken_connection& e) {
      lost = true;
      problem = e.what();
    } catch (const pqxx::in_doubt_error& e) {
      lost = true;  // the replay checks whether the batch landed
      problem = e.what();
    } catch (const pqxx::sql_error& e) {
      lost = is_connection_state(e.sqlstate());
      sqlstate = e.sqlstate();
      problem = e.what();
    } catch (const std::exception& e) {
      problem = e.what();
    }
    const bool cut = bounded && deadline_->disarm();
    if (result && (*result || !cut)) {
      if (cut) connection_.reset();  // done just as the deadline passed: its socket is shut
      return std::move(*result);
    }
    if (bounded && (cut || sqlstate == "57014")) {
      // Maybe committed all the same (cut off while the commit was on its way): replays are
      // idempotent (replay_samples, replay_markers).
      connection_.reset();
      connection_lost_ = true;
      return Error{fmt::format("{}: did not answer within {:g} s ({}){}", display_, write_timeout_->count() / 1000.0, what,
                               cut ? "" : ": " + one_line(problem))};
    }
    if (lost || !connection_->is_open()) {
      connection_.reset();
      connection_lost_ = true;
      return Error{display_ + ": lost the connection to the server (" + what + "): " + one_line(problem)};
    }
    return Error{display_ + ": cannot " + what + ": " + one_line(problem)};
  }

  // A bounded store connects within its bound too (libpq counts whole seconds, at least 2).
  int connect_timeout_s() const {
    if (!write_timeout_) return 10;
    return std::max<int>(2, static_cast<int>((write_timeout_->count() + 999) / 1000));
  }

  const std::string url_;
  const std::string display_;
  const std::optional<std::chrono::milliseconds> write_timeout_;
  std::unique_ptr<SocketDeadline> deadline_;  // with a write timeout only
  std::unique_ptr<pqxx::connection> connection_;
  bool connection_lost_ = false;
  // The monitor's writer thread and its main thread share the connection; a transaction must
  // not interleave with another call.
  mutable std::mutex mutex_;
};

}  // namespace

bool is_postgres_url(const std::string& location) { return location.rfind("postgresql://", 0) == 0 || location.rfind("postgres://", 0) == 0; }

std::string mask_password(const std::string& url) {
  const size_t scheme_end = url.find("://");
  if (scheme_end == std::string::npos) return url;
  const size_t authority = scheme_end + 3;
  const size_t query = url.find('?', authority);
  std::string out = url;
  const size_t at = url.rfind('@', query == std::string::npos ? std::string::npos : query);
  if (at != std::string::npos && at > authority) {
    const size_t colon = url.find(':', authority);
    if (colon != std::string::npos && colon < at) out = url.substr(0, colon + 1) + "***" + url.substr(at);
  }
  const size_t out_query = out.find('?');
  if (out_query == std::string::npos) return out;
  for (size_t key = out.find("password=", out_query); key != std::string::npos; key = out.find("password=", key + 1)) {
    const char before = out[key - 1];
    if (before != '?' && before != '&') continue;
    const size_t value = key + 9;
    const size_t end = out.find('&', value);
    out = out.substr(0, value) + "***" + (end == std::string::npos ? "" : out.substr(end));
  }
  return out;
}

Result<std::unique_ptr<RemoteStore>> open_postgres_store(const std::string& url, std::optional<std::chrono::milliseconds> write_timeout) {
  auto store = std::make_unique<PostgresStore>(url, write_timeout);
  if (auto connected = store->connect(); !connected) return connected.error();
  if (auto ready = store->prepare_schema(); !ready) return ready.error();
  return std::unique_ptr<RemoteStore>(std::move(store));
}

Result<std::unique_ptr<RunStore>> open_postgres_store_for_reading(const std::string& url, bool* absent) {
  auto store = std::make_unique<PostgresStore>(url, std::nullopt);
  if (auto connected = store->connect(); !connected) return connected.error();
  bool missing = false;
  if (auto ready = store->check_schema(&missing); !ready) {
    if (absent) *absent = missing;
    return ready.error();
  }
  return std::unique_ptr<RunStore>(std::move(store));
}

}  // namespace wattcast
