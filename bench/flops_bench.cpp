// Time to load and count an ONNX model (parse, shape inference, folding, counting), in process:
// prints "<file> <macs> <params> <mean ms> <runs>" per file for bench/flops_reference.py to set
// beside the Python reference.

#include <chrono>
#include <cstdio>
#include <string>

#include "model/flops_counter.h"
#include "model/onnx_loader.h"

int main(int argc, char** argv) {
  using namespace wattcast;
  using Clock = std::chrono::steady_clock;
  for (int i = 1; i < argc; ++i) {
    const std::string path = argv[i];
    int runs = 0;
    int64_t macs = 0, params = 0;
    const auto start = Clock::now();
    // At least 5 runs and half a second, so one slow run (a shared machine) weighs little.
    while (runs < 5 || Clock::now() - start < std::chrono::milliseconds(500)) {
      auto graph = load_onnx_file(path, {});
      if (!graph) {
        std::fprintf(stderr, "%s\n", graph.error().message.c_str());
        return 2;
      }
      auto report = count_flops(*graph, Convention::kTorchvision);
      if (!report) {
        std::fprintf(stderr, "%s\n", report.error().message.c_str());
        return 2;
      }
      macs = report->macs;
      params = report->params;
      ++runs;
    }
    const double ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count() / runs;
    std::printf("%s %lld %lld %.3f %d\n", path.c_str(), static_cast<long long>(macs), static_cast<long long>(params), ms, runs);
  }
  return 0;
}
