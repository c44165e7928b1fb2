// Scrape latency of the Prometheus exporter: GET /metrics over loopback with 64 GPUs, beside the
// same server returning a fixed page of the same size (the HTTP cost alone) and a 1-GPU run.
//
//   build/bench/exporter_bench [SCRAPES]
//
// The store case follows a live run as `wattcast exporter` does (each scrape polls the store for
// new samples, then renders); the measure case renders the snapshot `measure --prometheus`
// publishes (no store access).

#include <httplib.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <filesystem>
#include <mutex>
#include <string>
#include <vector>

#include "export/metrics_server.h"
#include "export/metrics_snapshot.h"
#include "export/store_follower.h"
#include "monitor/sampler.h"
#include "store/sqlite_store.h"

namespace {

using namespace wattcast;
namespace fs = std::filesystem;

// `ticks` more ticks of every GPU of the run (sampled every 100 ms), as the monitor's writer adds them.
void append_ticks(RunStore& store, const std::vector<int64_t>& devices, double start_s, int64_t from, int64_t ticks) {
  std::vector<SampleRecord> samples;
  for (int64_t tick = from; tick < from + ticks; ++tick) {
    for (size_t g = 0; g < devices.size(); ++g) {
      Reading r;
      r.power_w = 300 + static_cast<double>((tick + static_cast<int64_t>(g)) % 50);
      r.energy_j = 330.0 * static_cast<double>(tick) * 0.1;
      samples.push_back({devices[g], tick, start_s + 0.1 * static_cast<double>(tick), r});
    }
  }
  (void)store.append_samples(samples);
}

struct LiveRun {
  std::vector<int64_t> devices;
  double start_s = 0;
  int64_t next_tick = 0;
};

// A run still going on: `gpus` GPUs sampled every 100 ms for 10 minutes, one epoch a minute.
LiveRun write_live_run(RunStore& store, int gpus) {
  RunRecord run;
  run.start_s = unix_time_s() - 600;
  run.host = "bench-node";
  run.tags = {{"job", "bench"}, {"rank", "0"}};
  const int64_t id = *store.begin_run(run);
  std::vector<int64_t> devices;
  for (int g = 0; g < gpus; ++g) {
    devices.push_back(*store.add_device(id, "nvml",
                                        DeviceInfo{"gpu", "NVIDIA H100 80GB HBM3", "GPU-" + std::to_string(1000000 + g), g, Provenance::kMeasured, ""}));
  }
  append_ticks(store, devices, run.start_s, 0, 6000);
  std::vector<MarkerRecord> markers;
  for (int e = 1; e <= 10; ++e) {
    markers.push_back({id, run.start_s + 60.0 * (e - 1), "epoch_begin", e, "", {}, "python"});
    markers.push_back({id, run.start_s + 60.0 * e - 0.5, "epoch_end", e, "", {}, "python"});
  }
  (void)store.append_markers(markers);
  return {devices, run.start_s, 6000};
}

struct Figures {
  double median_ms = 0, p99_ms = 0;
  size_t bytes = 0;
};

// `between` runs before each scrape, outside the timing.
Figures scrape(int port, int scrapes, const std::function<void()>& between = {}) {
  httplib::Client client("127.0.0.1", port);
  client.set_keep_alive(true);  // as Prometheus does, with TCP_NODELAY (Go's default)
  client.set_tcp_nodelay(true);
  std::vector<double> ms;
  size_t bytes = 0;
  for (int i = 0; i < scrapes + 20; ++i) {
    if (between) between();
    const auto start = std::chrono::steady_clock::now();
    auto response = client.Get("/metrics");
    const double elapsed = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    if (!response || response->status != 200) {
      std::fprintf(stderr, "scrape failed\n");
      std::exit(1);
    }
    bytes = response->body.size();
    if (i >= 20) ms.push_back(elapsed);  // the first ones warm the connection and caches
  }
  std::sort(ms.begin(), ms.end());
  return {ms[ms.size() / 2], ms[std::min(ms.size() - 1, ms.size() * 99 / 100)], bytes};
}

void print(const char* what, const Figures& f) {
  std::printf("%-60s median %7.3f ms  p99 %7.3f ms  %8zu bytes\n", what, f.median_ms, f.p99_ms, f.bytes);
}

// `wattcast exporter`'s scrape: poll the store, render, under one lock.
Figures store_case(RunStore& store, int scrapes, const std::function<void()>& between = {}) {
  StoreFollower follower(store, FollowOptions{});
  std::mutex mutex;
  (void)follower.poll(unix_time_s());
  auto server = std::move(MetricsServer::start(ListenAddress{"127.0.0.1", 0}, [&] {
                            const std::lock_guard<std::mutex> lock(mutex);
                            const double now_s = unix_time_s();
                            (void)follower.poll(now_s);
                            return render_metrics(follower.snapshot(now_s), "bench");
                          }))
                    .value();
  return scrape(server->address().port, scrapes, between);
}

}  // namespace

int main(int argc, char** argv) {
  const int scrapes = argc > 1 ? std::atoi(argv[1]) : 2000;
  const fs::path dir = fs::temp_directory_path() / ("wattcast_exporter_bench_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::printf("exporter scrape latency, %d scrapes each over one kept-alive loopback connection\n", scrapes);

  Figures gpus64;
  {
    auto store = std::move(open_sqlite_store((dir / "gpus64.db").string())).value();
    LiveRun run = write_live_run(*store, 64);
    gpus64 = store_case(*store, scrapes);
    print("wattcast exporter, live run, 64 GPUs, nothing new", gpus64);
    // Prometheus's default 15 s between scrapes: 150 ticks x 64 GPUs = 9,600 new samples each.
    print("wattcast exporter, live run, 64 GPUs, 15 s of new samples", store_case(*store, scrapes / 10, [&] {
            append_ticks(*store, run.devices, run.start_s, run.next_tick, 150);
            run.next_tick += 150;
          }));
  }
  {
    auto store = std::move(open_sqlite_store((dir / "gpus1.db").string())).value();
    write_live_run(*store, 1);
    print("wattcast exporter, live run, 1 GPU", store_case(*store, scrapes));
  }
  {
    // measure --prometheus: the published snapshot rendered per scrape.
    SnapshotBoard board;
    MetricsSnapshot snapshot;
    RunMetrics run;
    run.run_id = 1;
    run.host = "bench-node";
    run.tags = {{"job", "bench"}, {"rank", "0"}};
    for (int g = 0; g < 64; ++g) {
      run.devices.push_back({g + 1, "gpu", "NVIDIA H100 80GB HBM3", "GPU-" + std::to_string(1000000 + g), g, 1.5e6 + g, 300.0 + g});
    }
    for (int e = 1; e <= 10; ++e) run.epochs.push_back({e, 1.2e6 * e});
    snapshot.runs.push_back(run);
    board.publish(snapshot);
    auto server = std::move(MetricsServer::start(ListenAddress{"127.0.0.1", 0}, [&] { return render_metrics(*board.current(), "bench"); })).value();
    print("measure --prometheus, 64 GPUs", scrape(server->address().port, scrapes));
  }
  {
    const std::string fixed(gpus64.bytes, 'x');
    auto server = std::move(MetricsServer::start(ListenAddress{"127.0.0.1", 0}, [&] { return fixed; })).value();
    print("reference: fixed page of the 64-GPU size", scrape(server->address().port, scrapes));
  }
  fs::remove_all(dir);
  return 0;
}
