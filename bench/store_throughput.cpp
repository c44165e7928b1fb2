// A shared run store under a cluster's load: W writers (default 64 nodes) with 8 GPUs each,
// sampled at 10 Hz and flushed once per second as the monitor's sampler does, each writer with
// its own connection, for a fixed time. Runs against a PostgreSQL server started as the tests
// start theirs (but durable: fsync on), then against one SQLite file as the reference, and
// prints, side by side: sustained insert rate against the offered rate, write lag (a sample's
// timestamp to its commit), commit latency, and disk per GPU-hour.
// Run: build/bench/store_throughput [--seconds 60] [--nodes 64] [--gpus 8] [--hz 10]

#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <latch>
#include <mutex>
#include <pqxx/pqxx>
#include <string>
#include <thread>
#include <vector>

#include "store/open_store.h"
#include "support/postgres_server.h"

namespace {

using namespace wattcast;
using Clock = std::chrono::system_clock;

struct Load {
  int seconds = 60;
  int nodes = 64;
  int gpus = 8;
  int hz = 10;
  double offered_per_s() const { return static_cast<double>(nodes) * gpus * hz; }
};

struct Figures {
  int64_t samples = 0;
  // Committed within one flush interval of the end of the load: what the store sustained.
  int64_t on_time_samples = 0;
  std::vector<double> lag_s;     // per sample: its timestamp to its batch's commit
  std::vector<double> commit_s;  // per batch: the append call
  int errors = 0;
  std::string first_error;
  double disk_bytes = 0;
};

double now_s() { return std::chrono::duration<double>(Clock::now().time_since_epoch()).count(); }

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * (v.size() - 1) + 0.5))];
}

// One node's monitor: its run, its GPUs, a batch each second of the ticks due by then.
void node(const std::string& location, const Load& load, int index, std::latch& ready, double start_s, Figures& out, std::mutex& mutex) {
  auto opened = open_store(location);
  Figures mine;
  if (!opened) {
    ready.count_down();
    const std::lock_guard<std::mutex> lock(mutex);
    ++out.errors;
    if (out.first_error.empty()) out.first_error = opened.error().message;
    return;
  }
  RunStore& store = **opened;
  RunRecord run;
  run.command = "python train.py  # node " + std::to_string(index);
  run.start_s = start_s;
  run.host = "node" + std::to_string(index);
  const int64_t run_id = *store.begin_run(run);
  std::vector<int64_t> devices;
  for (int g = 0; g < load.gpus; ++g) {
    DeviceInfo info{"gpu", "NVIDIA A100-SXM4-80GB", "GPU-" + std::to_string(index) + "-" + std::to_string(g), g, Provenance::kMeasured, ""};
    devices.push_back(*store.add_device(run_id, "nvml", info));
  }
  ready.arrive_and_wait();
  const double tick_s = 1.0 / load.hz;
  const int64_t ticks = static_cast<int64_t>(load.seconds) * load.hz;
  int64_t next_tick = 0;
  // Nodes start (and so flush) at different phases of the second, as independent monitors would.
  const double node_start_s = start_s + (index % 10) / 10.0;
  for (int flush = 1; next_tick < ticks; ++flush) {
    std::this_thread::sleep_until(Clock::time_point(std::chrono::duration_cast<Clock::duration>(
        std::chrono::duration<double>(node_start_s + flush))));
    const double now = now_s();
    std::vector<SampleRecord> batch;
    while (next_tick < ticks && node_start_s + next_tick * tick_s <= now) {
      for (size_t g = 0; g < devices.size(); ++g) {
        Reading r;
        r.power_w = 250 + 50 * std::sin(0.01 * next_tick + g);
        r.energy_j = 300.0 * next_tick * tick_s;
        r.utilization_pct = 97;
        r.memory_used_bytes = 6.4e10;
        r.temperature_c = 61;
        r.sm_clock_mhz = 1410;
        r.power_limit_w = 400;
        batch.push_back({devices[g], next_tick, node_start_s + next_tick * tick_s, r});
      }
      ++next_tick;
    }
    const double before = now_s();
    const Status written = store.append_samples(batch);
    const double committed = now_s();
    mine.commit_s.push_back(committed - before);
    if (!written) {
      ++mine.errors;
      if (mine.first_error.empty()) mine.first_error = written.error().message;
      continue;
    }
    mine.samples += static_cast<int64_t>(batch.size());
    if (committed - node_start_s <= load.seconds + 1.0) mine.on_time_samples += static_cast<int64_t>(batch.size());
    for (const auto& s : batch) mine.lag_s.push_back(committed - s.t_s);
  }
  const std::lock_guard<std::mutex> lock(mutex);
  out.samples += mine.samples;
  out.on_time_samples += mine.on_time_samples;
  out.lag_s.insert(out.lag_s.end(), mine.lag_s.begin(), mine.lag_s.end());
  out.commit_s.insert(out.commit_s.end(), mine.commit_s.begin(), mine.commit_s.end());
  out.errors += mine.errors;
  if (out.first_error.empty()) out.first_error = mine.first_error;
}

Figures drive(const std::string& location, const Load& load) {
  Figures figures;
  std::mutex mutex;
  std::latch ready(load.nodes + 1);
  std::vector<std::thread> nodes;
  // Connecting 64 writers takes a while: the clock starts once all are ready.
  const double start_s = now_s() + 5 + load.nodes * 0.05;
  for (int i = 0; i < load.nodes; ++i) {
    nodes.emplace_back([&, i] { node(location, load, i, ready, start_s, figures, mutex); });
  }
  ready.arrive_and_wait();
  for (auto& t : nodes) t.join();
  return figures;
}

double postgres_bytes(const std::string& url) {
  pqxx::connection connection(url);
  pqxx::work tx(connection);
  tx.exec("CHECKPOINT");
  return tx.exec1("SELECT pg_database_size(current_database())")[0].as<double>();
}

double sqlite_bytes(const std::string& path) {
  sqlite3* db = nullptr;
  if (sqlite3_open(path.c_str(), &db) == SQLITE_OK) sqlite3_exec(db, "PRAGMA wal_checkpoint(TRUNCATE)", nullptr, nullptr, nullptr);
  sqlite3_close(db);
  double bytes = 0;
  for (const char* suffix : {"", "-wal"}) {
    std::error_code ec;
    const auto size = std::filesystem::file_size(path + suffix, ec);
    if (!ec) bytes += static_cast<double>(size);
  }
  return bytes;
}

void print(const char* name, const Figures& f, const Load& load, double disk_growth_bytes) {
  const double gpu_hours = static_cast<double>(f.samples) / load.hz / 3600.0;
  std::printf("%-11s %12.0f %10.0f %10.3f %10.3f %12.1f %12.1f %14.1f %10.0f %7d\n", name, load.offered_per_s(),
              static_cast<double>(f.on_time_samples) / load.seconds, percentile(f.lag_s, 0.5), percentile(f.lag_s, 0.99),
              1000 * percentile(f.commit_s, 0.5), 1000 * percentile(f.commit_s, 0.99), gpu_hours > 0 ? disk_growth_bytes / gpu_hours / 1e6 : 0,
              f.samples > 0 ? disk_growth_bytes / f.samples : 0, f.errors);
  if (!f.first_error.empty()) std::printf("  first error (%s): %s\n", name, f.first_error.c_str());
}

int fail(const std::string& message) {
  std::fprintf(stderr, "store_throughput: %s\n", message.c_str());
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  Load load;
  for (int i = 1; i + 1 < argc; i += 2) {
    const int value = std::atoi(argv[i + 1]);
    if (std::strcmp(argv[i], "--seconds") == 0) load.seconds = value;
    else if (std::strcmp(argv[i], "--nodes") == 0) load.nodes = value;
    else if (std::strcmp(argv[i], "--gpus") == 0) load.gpus = value;
    else if (std::strcmp(argv[i], "--hz") == 0) load.hz = value;
    else return fail(std::string("unknown option ") + argv[i]);
  }
  if (load.seconds < 1 || load.nodes < 1 || load.gpus < 1 || load.hz < 1) return fail("every option must be at least 1");

  auto server = testing::PostgresServer::start({.durable = true});
  if (!server) return fail(server.error().message);
  if (auto db = (*server)->create_database("bench"); !db) return fail(db.error().message);
  const std::string url = (*server)->tcp_url("bench");
  const std::string sqlite_path = (std::filesystem::temp_directory_path() / "wattcast_store_throughput.db").string();
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(sqlite_path + suffix);
  {
    auto pg = open_store(url);
    if (!pg) return fail(pg.error().message);
    auto lite = open_store(sqlite_path);
    if (!lite) return fail(lite.error().message);
  }

  std::printf("%d writers x %d GPUs at %d Hz for %d s, one connection per writer, a batch per writer per second\n", load.nodes, load.gpus,
              load.hz, load.seconds);
  std::printf("%-11s %12s %10s %10s %10s %12s %12s %14s %10s %7s\n", "store", "offered/s", "stored/s", "lag_p50_s", "lag_p99_s",
              "commit_p50_ms", "commit_p99_ms", "disk_MB/GPU-h", "bytes/smp", "errors");
  const double pg_before = postgres_bytes(url);
  const Figures pg = drive(url, load);
  print("postgresql", pg, load, postgres_bytes(url) - pg_before);
  std::fflush(stdout);
  const double lite_before = sqlite_bytes(sqlite_path);
  const Figures lite = drive(sqlite_path, load);
  print("sqlite", lite, load, sqlite_bytes(sqlite_path) - lite_before);
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(sqlite_path + suffix);
  return 0;
}
