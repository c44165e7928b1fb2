#include "hardware/gpu_catalog.h"

#include "core/csv.h"
#include "core/fuzzy.h"

namespace wattcast {

Result<GpuCatalog> GpuCatalog::load(const std::string& csv_path) {
  auto table = CsvTable::read_file(csv_path);
  if (!table) return table.error();
  if (auto status = table->require_columns({"name", "cuda_cores", "memory_gb", "tdp_w"}); !status) return status.error();

  GpuCatalog catalog;
  for (const auto& row : table->rows()) {
    GpuSpec gpu;
    gpu.name = row.text("name");
    auto cores = row.positive("cuda_cores");
    auto memory = row.positive("memory_gb");
    auto tdp = row.positive("tdp_w");
    if (!cores) return cores.error();
    if (!memory) return memory.error();
    if (!tdp) return tdp.error();
    gpu.cuda_cores = *cores;
    gpu.memory_gb = *memory;
    gpu.tdp_w = *tdp;
    // Optional columns: empty cells mean "not known for this GPU".
    for (auto [column, target] : {std::pair{"fp32_tflops", &gpu.fp32_tflops}, std::pair{"memory_bandwidth_gbs", &gpu.memory_bandwidth_gbs},
                                  std::pair{"fp16_tflops", &gpu.fp16_tflops}, std::pair{"tf32_tflops", &gpu.tf32_tflops},
                                  std::pair{"fp16_tensor_tflops", &gpu.fp16_tensor_tflops}, std::pair{"idle_w", &gpu.idle_w}}) {
      if (!row.has(column) || row.text(column).empty()) continue;
      auto value = row.positive(column);
      if (!value) return value.error();
      *target = *value;
    }
    gpu.architecture = row.text("architecture");
    gpu.release_date = row.text("release_date");
    catalog.names_.push_back(gpu.name);
    catalog.gpus_.push_back(std::move(gpu));
  }
  return catalog;
}

std::vector<const GpuSpec*> GpuCatalog::search(const std::string& query) const {
  return search_all_tokens(query, gpus_, [](const GpuSpec& gpu) { return gpu.name; });
}

Result<GpuSpec> GpuCatalog::resolve(const std::string& query) const {
  auto ranked = rank_matches(query, names_);
  if (!ranked.empty() && ranked.front().all_tokens) return gpus_[ranked.front().index];
  std::string suggestions;
  for (size_t i = 0; i < ranked.size() && i < 3; ++i) {
    suggestions += (i ? ", " : "") + std::string("'") + names_[ranked[i].index] + "'";
  }
  return Error{"unknown GPU '" + query + "'; closest matches: " + suggestions +
               " (or describe it with --gpu-cores, --gpu-memory-gb and --gpu-tdp-w)"};
}

}  // namespace wattcast
