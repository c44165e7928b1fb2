#pragma once
// Measured training runs in the layout of data/pre_runs.csv: the data the offline models are
// fitted on and evaluated against, and the input of batch estimation.

#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "estimate/training_config.h"
#include "hardware/gpu_catalog.h"

namespace wattcast {

struct MeasuredRun {
  TrainingConfig config;
  std::string architecture;
  std::string dataset;
  int source_line = 0;
  // The data set the run comes from (the file's name without .csv): `evaluate --cv source`
  // holds each out in turn.
  std::string source;
  // Runs of one configuration share this key; cross-validation holds them out together.
  std::string configuration_key;
  // Absent when the table has no measured columns (batch estimation input).
  std::optional<double> avg_gpu_power_w;
  std::optional<double> avg_epoch_energy_j;

  double epoch_time_s() const { return *avg_epoch_energy_j / *avg_gpu_power_w; }
};

enum class Measurements { kRequired, kIgnored };

// Reads a CSV with the columns of pre_runs.csv. Every configuration value must be a finite
// positive number; with kRequired the measured power and epoch energy must be too.
// With a catalog, a `gpu` column naming a catalog GPU stands for the spec columns
// (gpu_cuda_cores, gpu_memory_gb, gpu_tdp_w), total_ram_gb and input_size become optional
// (0 when absent), and `power_limit_w` and `precision` columns are read when present.
Result<std::vector<MeasuredRun>> load_runs(const std::string& path, Measurements measurements, const GpuCatalog* catalog = nullptr);

// Column names of pre_runs.csv that describe the configuration.
const std::vector<std::string>& configuration_columns();

}  // namespace wattcast
