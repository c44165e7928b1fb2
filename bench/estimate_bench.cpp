// Fit and prediction cost of the offline models, wattcast's beside the study's kernel ridge
// (the reference) in the same run. Run: make bench (or build/bench/estimate_bench).

#include <benchmark/benchmark.h>

#include <cstdlib>

#include "estimate/fitted_model.h"
#include "estimate/measured_run.h"

namespace {

const std::vector<wattcast::MeasuredRun>& reference_runs() {
  static const auto runs = [] {
    auto loaded = wattcast::load_runs(WATTCAST_SOURCE_DIR "/data/pre_runs.csv", wattcast::Measurements::kRequired);
    if (!loaded) {
      std::fprintf(stderr, "%s\n", loaded.error().message.c_str());
      std::exit(1);
    }
    return std::move(loaded).value();
  }();
  return runs;
}

void fit(benchmark::State& state, const char* method) {
  for (auto _ : state) {
    auto model = wattcast::fit_model(method, reference_runs(), wattcast::FitOptions{});
    benchmark::DoNotOptimize(model);
  }
  state.SetLabel(std::to_string(reference_runs().size()) + " runs");
}

void predict(benchmark::State& state, const char* method) {
  auto model = std::move(wattcast::fit_model(method, reference_runs(), wattcast::FitOptions{})).value();
  size_t i = 0;
  for (auto _ : state) {
    const auto prediction = model->predict(reference_runs()[i++ % reference_runs().size()].config);
    benchmark::DoNotOptimize(prediction);
  }
}

BENCHMARK_CAPTURE(fit, wattcast, "wattcast")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(fit, pre_paper_reference, "pre-paper")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(predict, wattcast, "wattcast")->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(predict, pre_paper_reference, "pre-paper")->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
