#pragma once
// The figures `compare` works with, per run: energy by component, duration, epochs, energy per
// processed sample (the study's normalization: energy / (epochs x training samples)), mean GPU
// utilization and power, and the last value of every metric the run reported.

#include <cstdint>
#include <map>
#include <string>

#include "core/result.h"
#include "store/run_store.h"

namespace wattcast {

struct RunMetrics {
  RunRecord run;
  bool succeeded = false;  // finished with exit code 0
  // energy_j, energy_kj, <kind>_energy_j (gpu, cpu, dram, memory), duration_s, epochs,
  // energy_per_sample_j (needs a train_samples tag and epochs), gpu_utilization_pct,
  // gpu_power_w, co2e_g, and each reported metric under its own name.
  std::map<std::string, double> values;
};

Result<RunMetrics> compute_run_metrics(RunStore& store, int64_t run_id);

// The names compute_run_metrics can produce besides reported metrics, for messages.
const char* run_metric_names();

}  // namespace wattcast
