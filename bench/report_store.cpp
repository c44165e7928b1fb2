// Writes a run store for the report benchmark: one finished run of N samples (default
// 1,000,000) from one GPU at 1 ms, with epoch markers and a metric, inserted directly through the
// store (measuring such a run would take 17 minutes).
// Run: build/bench/report_store STORE [--samples N] [--epochs E]

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>

#include "store/sqlite_store.h"

namespace {

int fail(const std::string& message) {
  std::fprintf(stderr, "report_store: %s\n", message.c_str());
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return fail("usage: report_store STORE [--samples N] [--epochs E]");
  const std::string path = argv[1];
  long samples = 1000000, epochs = 20;
  for (int i = 2; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--samples") == 0) samples = std::atol(argv[i + 1]);
    else if (std::strcmp(argv[i], "--epochs") == 0) epochs = std::atol(argv[i + 1]);
    else return fail(std::string("unknown option ") + argv[i]);
  }
  if (samples < 2 || epochs < 1) return fail("--samples must be at least 2 and --epochs at least 1");
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  auto store = wattcast::open_sqlite_store(path);
  if (!store) return fail(store.error().message);

  const double start_s = 1.7e9, interval_s = 0.001;
  wattcast::RunRecord run;
  run.command = "python train.py  # report benchmark";
  run.start_s = start_s;
  run.host = "bench";
  run.tags = {{"optimizer", "adam"}};
  auto run_id = (*store)->begin_run(run);
  if (!run_id) return fail(run_id.error().message);
  wattcast::DeviceInfo gpu;
  gpu.kind = "gpu";
  gpu.name = "Benchmark GPU";
  auto device_id = (*store)->add_device(*run_id, "replay", gpu);
  if (!device_id) return fail(device_id.error().message);

  // Power that varies within each epoch (a sawtooth plus a slow wave) with a one-sample spike in
  // every epoch, the peaks the report's downsampling must keep.
  const long per_epoch = samples / epochs;
  std::vector<wattcast::SampleRecord> batch;
  for (long i = 0; i < samples; ++i) {
    wattcast::SampleRecord s;
    s.device_id = *device_id;
    s.tick = i;
    s.t_s = start_s + static_cast<double>(i) * interval_s;
    s.reading.power_w = 250 + 40 * std::sin(static_cast<double>(i) * 1e-4) + static_cast<double>(i % 997) * 0.05;
    if (per_epoch > 0 && i % per_epoch == per_epoch / 2) s.reading.power_w = 450;
    batch.push_back(s);
    if (batch.size() == 100000 || i + 1 == samples) {
      if (auto ok = (*store)->append_samples(batch); !ok) return fail(ok.error().message);
      batch.clear();
    }
  }
  std::vector<wattcast::MarkerRecord> markers;
  const double epoch_s = static_cast<double>(samples) * interval_s / static_cast<double>(epochs);
  for (long e = 1; e <= epochs; ++e) {
    markers.push_back({*run_id, start_s + static_cast<double>(e - 1) * epoch_s, "epoch_begin", static_cast<int>(e), "", {}, "api"});
    markers.push_back({*run_id, start_s + static_cast<double>(e) * epoch_s, "epoch_end", static_cast<int>(e), "",
                       {{"val_acc", 0.5 + 0.4 * static_cast<double>(e) / static_cast<double>(epochs)}}, "api"});
  }
  if (auto ok = (*store)->append_markers(markers); !ok) return fail(ok.error().message);
  const double end_s = start_s + static_cast<double>(samples - 1) * interval_s;
  if (auto ok = (*store)->finish_run(*run_id, end_s, 0, "exited"); !ok) return fail(ok.error().message);
  std::printf("%s: run %lld, %ld samples over %.0f s, %ld epochs\n", path.c_str(), static_cast<long long>(*run_id), samples,
              end_s - start_s, epochs);
  return 0;
}
