#include "estimate/measured_run.h"

#include <cmath>
#include <filesystem>

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

// The catalog entry a row's `gpu` names. Rows that also give specs (the study's) keep them and
// take from the catalog only what they lack (bandwidth, peaks, idle), from the entry whose cores
// and TDP agree, so "RTX 3070" does not borrow the specs of an RTX 3070 Ti.
Result<GpuSpec> catalog_gpu(const CsvRow& row, const GpuCatalog& catalog, const GpuSpec* given) {
  const std::string name = row.text("gpu");
  if (given == nullptr) {
    auto gpu = catalog.resolve(name);
    if (!gpu) return row.error("gpu", gpu.error().message);
    return gpu;
  }
  for (const GpuSpec* candidate : catalog.search(name)) {
    if (candidate->cuda_cores == given->cuda_cores && candidate->tdp_w == given->tdp_w) {
      GpuSpec merged = *candidate;
      merged.name = given->name;
      merged.memory_gb = given->memory_gb;
      return merged;
    }
  }
  return *given;
}

}  // namespace

Result<std::vector<MeasuredRun>> load_runs(const std::string& path, Measurements measurements, const GpuCatalog* catalog) {
  auto table = CsvTable::read_file(path);
  if (!table) return table.error();
  const bool specs_given = table->column_index("gpu_cuda_cores").has_value() || catalog == nullptr;
  std::vector<std::string> required;
  if (specs_given) {
    required = configuration_columns();
    if (catalog != nullptr) std::erase_if(required, [](const std::string& c) { return c == "total_ram_gb" || c == "input_size"; });
  } else {
    required = {"gpu", "gflops", "train_samples", "val_samples", "batch_size"};
  }
  if (measurements == Measurements::kRequired) {
    required.push_back("avg_gpu_power_w");
    required.push_back("avg_epoch_energy_kj");
  }
  if (auto status = table->require_columns(required); !status) return status.error();
  if (table->rows().empty()) return Error::in_file(path, "no data rows");
  const std::string source = std::filesystem::path(path).stem().string();

  std::vector<MeasuredRun> runs;
  runs.reserve(table->rows().size());
  for (const auto& row : table->rows()) {
    MeasuredRun run;
    run.source_line = row.line();
    run.source = source;
    double* targets[] = {&run.config.gpu.cuda_cores, &run.config.gpu.memory_gb, &run.config.gpu.tdp_w,
                         &run.config.total_ram_gb,   &run.config.gflops,        &run.config.train_samples,
                         &run.config.val_samples,    &run.config.batch_size,    &run.config.input_size};
    const bool row_has_specs = specs_given && (catalog == nullptr || row.has("gpu_cuda_cores"));
    for (size_t i = 0; i < configuration_columns().size(); ++i) {
      const std::string& column = configuration_columns()[i];
      const bool spec_column = i < 3;
      if (spec_column && !row_has_specs) continue;
      // Job RAM and input size only feed the study's own models; a catalog-backed table may omit them.
      const bool optional = catalog != nullptr && (column == "total_ram_gb" || column == "input_size");
      if (optional && !row.has(column)) continue;
      auto value = row.positive(column);
      if (!value) return value.error();
      const bool count = column == "train_samples" || column == "val_samples" || column == "batch_size" || column == "input_size";
      if (count && *value != std::floor(*value)) return row.error(column, "expected a whole number, got '" + row.text(column) + "'");
      *targets[i] = *value;
    }
    run.config.gpu.name = row.has("gpu") ? row.text("gpu") : "GPU with " + row.text("gpu_cuda_cores") + " cores";
    if (catalog != nullptr && row.has("gpu")) {
      const GpuSpec given = run.config.gpu;
      auto gpu = catalog_gpu(row, *catalog, row_has_specs ? &given : nullptr);
      if (!gpu) return gpu.error();
      run.config.gpu = *gpu;
    } else if (!row_has_specs) {
      return row.error("gpu", "is required when the GPU's specs are not given");
    }
    if (row.has("power_limit_w")) {
      auto limit = row.positive("power_limit_w");
      if (!limit) return limit.error();
      // The default limit is no cap: only a lower one changes what the GPU does.
      if (*limit < run.config.gpu.tdp_w) run.config.power_limit_w = *limit;
    }
    // Optional workload columns (data/PROVENANCE.md): blank where no ONNX model was counted.
    if (row.has("activation_mb")) {
      auto mb = row.positive("activation_mb");
      if (!mb) return mb.error();
      run.config.activation_bytes = *mb * 1e6;
    }
    if (row.has("params_m")) {
      auto millions = row.positive("params_m");
      if (!millions) return millions.error();
      run.config.parameters = *millions * 1e6;
    }
    if (row.has("precision")) {
      run.config.precision = row.text("precision");
      if (!is_known_precision(run.config.precision)) return row.error("precision", "expected fp32, tf32, fp16 or bf16, got '" + run.config.precision + "'");
    }
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
    if (!row_has_specs) run.configuration_key += run.config.gpu.name + "|" + key_part(row, "dataset");
    if (row.has("power_limit_w")) run.configuration_key += key_part(row, "power_limit_w");
    if (row.has("precision")) run.configuration_key += key_part(row, "precision");
    runs.push_back(std::move(run));
  }
  return runs;
}

}  // namespace wattcast
