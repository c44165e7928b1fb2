// Per-epoch GPU energy of the real H200 runs (tests/fixtures/h200), computed as the monitor now
// does (power every 100 ms, the ~4 ms energy counter only at anchors), against the counter's own
// per-epoch differences; beside power integrated alone and anchors without epoch markers.
//
// usage: counter_anchor_replay [FIXTURE_DIR]

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "support/counter_anchor_replay.h"

namespace {

using namespace wattcast::testing;

struct Figures {
  double median = 0, worst = 0;
  size_t reads = 0;
};

Figures score(const std::vector<ReferenceRow>& rows, const std::vector<EpochSpan>& epochs, const AnchorPolicy& policy) {
  std::vector<double> errors = epoch_energy_errors(rows, epochs, policy);
  for (double& e : errors) e = std::fabs(e);
  std::sort(errors.begin(), errors.end());
  return {errors[errors.size() / 2], errors.back(), counter_reads(replay_with_anchors(rows, epochs, policy))};
}

}  // namespace

int main(int argc, char** argv) {
  const std::string dir = argc > 1 ? argv[1] : "tests/fixtures/h200";
  struct Row {
    const char* name;
    AnchorPolicy policy;
  };
  const std::vector<Row> policies = {{"markers + every 30 s (wattcast)", {true, 30, true}},
                                     {"every 30 s, no marker anchors", {false, 30, true}},
                                     {"every 10 s, no marker anchors", {false, 10, true}},
                                     {"power integrated alone (no counter)", {false, 0, false}}};
  std::printf("| run | epochs | samples | counter read | counter reads | median abs error | worst |\n");
  std::printf("|---|---:|---:|---|---:|---:|---:|\n");
  for (const char* run : {"resnet50", "lightning", "hf"}) {
    auto rows = read_nvml_reference(dir + "/" + run + "_nvml_reference.csv");
    auto epochs = read_epoch_spans(dir + "/" + run + "_epochs.csv");
    if (!rows || !epochs) {
      std::fprintf(stderr, "%s\n", (!rows ? rows.error() : epochs.error()).message.c_str());
      return 2;
    }
    for (const auto& [name, policy] : policies) {
      const Figures f = score(*rows, *epochs, policy);
      std::printf("| %s | %zu | %zu | %s | %zu | %.3f%% | %.3f%% |\n", run, epochs->size(), rows->size(), name,
                  policy.counter ? f.reads : 0, 100 * f.median, 100 * f.worst);
    }
  }
  return 0;
}
