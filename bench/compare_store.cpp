// Writes a run store for the compare benchmark: N finished runs (default 100,000) in G groups
// (default 20, tag `group`), each with one GPU sampled twice and one epoch reporting val_acc,
// inserted directly through the store. Run: build/bench/compare_store STORE [--runs N] [--groups G]

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <random>
#include <string>

#include "store/sqlite_store.h"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: compare_store STORE [--runs N] [--groups G]\n");
    return 2;
  }
  const std::string path = argv[1];
  long runs = 100000, groups = 20;
  for (int i = 2; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--runs") == 0) runs = std::atol(argv[i + 1]);
    if (std::strcmp(argv[i], "--groups") == 0) groups = std::atol(argv[i + 1]);
  }
  std::filesystem::remove(path);
  auto opened = wattcast::open_sqlite_store(path);
  if (!opened) {
    std::fprintf(stderr, "compare_store: %s\n", opened.error().message.c_str());
    return 2;
  }
  auto& store = **opened;
  std::mt19937_64 random(1);
  std::normal_distribution<double> noise(0, 5);
  wattcast::DeviceInfo gpu;
  gpu.kind = "gpu";
  gpu.name = "bench";
  for (long r = 0; r < runs; ++r) {
    const long group = r % groups;
    wattcast::RunRecord run;
    run.command = "train";
    run.start_s = 1000.0 * static_cast<double>(r);
    run.host = "bench";
    std::string group_name = "g";
    group_name += std::to_string(group);
    run.tags = {{"group", group_name}, {"train_samples", "1000"}};
    const int64_t id = store.begin_run(run).value();
    const int64_t device = store.add_device(id, "replay", gpu).value();
    wattcast::Reading a, b;
    a.power_w = 100.0 + 10.0 * static_cast<double>(group) + noise(random);
    b.power_w = a.power_w;
    (void)store.append_samples({{device, 0, run.start_s, a}, {device, 1, run.start_s + 60, b}});
    (void)store.append_markers({{id, run.start_s, "epoch_begin", 1, "", {}, "python"},
                                {id, run.start_s + 60, "epoch_end", 1, "", {{"val_acc", 0.8 + 0.005 * static_cast<double>(group)}}, "python"}});
    (void)store.finish_run(id, run.start_s + 60, 0, "exited");
  }
  std::printf("compare_store: %ld runs in %ld groups -> %s\n", runs, groups, path.c_str());
  return 0;
}
