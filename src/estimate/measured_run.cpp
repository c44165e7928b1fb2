#include "estimate/measured_run.h"

#include "core/csv.h"

namespace wattcast {

const std::vector<std::string>& configuration_columns() {
  static const std::vector<std::string> kColumns = {"gpu_cuda_cores", "gpu_memory_gb", "gpu_tdp_w",  "total_ram_gb",
                                                    "gflops",         "train_samples", "val_samples", "batch_size",
                                                    "input_size"};
  return kColumns;
}

namespace {

std::string key_part(const CsvRow& row, const char* column) { return row.text(column) + "|"; }

}  // namespace

Result<std::vector<MeasuredRun>> load_runs(const std::string& path, Measurements measurements) {
  auto table = CsvTable::read_file(path);
  if (!table) return table.error();
  std::vector<std::string> required = configuration_columns();
  if (measurements == Measurements::kRequired) {
    required.push_back("avg_gpu_power_w");
    required.push_back("avg_epoch_energy_kj");
  }
  if (auto status = table->require_columns(required); !status) return status.error();
  if (table->rows().empty()) return Error::in_file(path, "no data rows");

  std::vector<MeasuredRun> runs;
  runs.reserve(table->rows().size());
  for (const auto& row : table->rows()) {
    MeasuredRun run;
    run.source_line = row.line();
    double* targets[] = {&run.config.gpu.cuda_cores, &run.config.gpu.memory_gb, &run.config.gpu.tdp_w,
                         &run.config.total_ram_gb,   &run.config.gflops,        &run.config.train_samples,
                         &run.config.val_samples,    &run.config.batch_size,    &run.config.input_size};
    for (size_t i = 0; i < configuration_columns().size(); ++i) {
      auto value = row.positive(configuration_columns()[i]);
      if (!value) return value.error();
      *targets[i] = *value;
    }
    run.config.gpu.name = row.has("gpu") ? row.text("gpu") : "GPU with " + row.text("gpu_cuda_cores") + " cores";
    run.architecture = row.text("architecture");
    run.dataset = row.text("dataset");
    if (measurements == Measurements::kRequired) {
      auto power = row.positive("avg_gpu_power_w");
      if (!power) return power.error();
      auto energy = row.positive("avg_epoch_energy_kj");
      if (!energy) return energy.error();
      run.avg_gpu_power_w = *power;
      run.avg_epoch_energy_j = *energy * 1000.0;
    }
    // The study's configurations differ in GPU, dataset, architecture, batch, RAM and input size;
    // GFLOPs is left out because one source row carries a rounding variant of its twin's value.
    run.configuration_key = key_part(row, "gpu_cuda_cores") + key_part(row, "gpu_tdp_w") + key_part(row, "architecture") +
                            key_part(row, "train_samples") + key_part(row, "val_samples") + key_part(row, "batch_size") +
                            key_part(row, "total_ram_gb") + key_part(row, "input_size");
    if (run.architecture.empty()) run.configuration_key += key_part(row, "gflops");
    runs.push_back(std::move(run));
  }
  return runs;
}

}  // namespace wattcast
