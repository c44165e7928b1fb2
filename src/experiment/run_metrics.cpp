#include "experiment/run_metrics.h"

#include <cmath>

#include "core/csv.h"
#include "monitor/run_summary.h"

namespace wattcast {

const char* run_metric_names() {
  return "energy_j, energy_kj, gpu_energy_j, cpu_energy_j, dram_energy_j, memory_energy_j, duration_s, epochs, energy_per_sample_j, "
         "gpu_utilization_pct, gpu_power_w, co2e_g";
}

Result<RunMetrics> compute_run_metrics(RunStore& store, int64_t run_id) {
  auto loaded = load_run(store, run_id);
  if (!loaded) return loaded.error();
  const RunSummary summary = summarize_run(*loaded);
  RunMetrics m;
  m.run = summary.run;
  m.succeeded = summary.run.end_s.has_value() && summary.run.exit_code == 0;
  auto& v = m.values;
  v["energy_j"] = summary.energy_j;
  v["energy_kj"] = summary.energy_j / 1000;
  for (const auto& [kind, energy_j] : summary.energy_by_kind_j) v[kind + "_energy_j"] = energy_j;
  v["duration_s"] = summary.duration_s;
  v["co2e_g"] = summary.co2e_g;
  const auto epochs = static_cast<double>(summary.epochs.size());
  if (epochs > 0) v["epochs"] = epochs;
  auto samples_tag = summary.run.tags.find("train_samples");
  if (samples_tag != summary.run.tags.end() && epochs > 0) {
    if (auto samples = parse_finite_double(samples_tag->second); samples && *samples > 0) v["energy_per_sample_j"] = summary.energy_j / (epochs * *samples);
  }
  double gpu_energy_j = 0;
  bool has_gpu = false;
  for (const auto& d : summary.devices) {
    if (d.device.info.kind != "gpu") continue;
    has_gpu = true;
    gpu_energy_j += d.energy_j;
  }
  if (has_gpu && summary.duration_s > 0) v["gpu_power_w"] = gpu_energy_j / summary.duration_s;
  if (has_gpu) {
    std::map<int64_t, bool> is_gpu;
    for (const auto& d : loaded->devices) is_gpu[d.id] = d.info.kind == "gpu";
    double sum = 0;
    int count = 0;
    for (const auto& s : loaded->samples) {
      if (is_gpu[s.device_id] && s.reading.utilization_pct && std::isfinite(*s.reading.utilization_pct)) {
        sum += *s.reading.utilization_pct;
        ++count;
      }
    }
    if (count > 0) v["gpu_utilization_pct"] = sum / count;
  }
  // The last reported value of each metric: the run's final accuracy, F1, loss...
  for (const auto& epoch : summary.epochs) {
    for (const auto& [name, value] : epoch.metrics) {
      if (std::isfinite(value)) v[name] = value;
    }
  }
  return m;
}

}  // namespace wattcast
