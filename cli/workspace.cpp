#include "cli/workspace.h"

#include <filesystem>

#include "cli/cli_error.h"
#include "core/data_dir.h"

namespace wattcast::cli {

const std::string& Workspace::data_dir() {
  if (!data_dir_) data_dir_ = unwrap(find_data_dir());
  return *data_dir_;
}

const GpuCatalog& Workspace::gpus() {
  if (!gpus_) gpus_ = unwrap(GpuCatalog::load(data_dir() + "/gpus.csv"));
  return *gpus_;
}

const CarbonCatalog& Workspace::carbon() {
  if (!carbon_) carbon_ = unwrap(CarbonCatalog::load(data_dir()));
  return *carbon_;
}

const std::vector<MeasuredRun>& Workspace::reference_runs() {
  if (!reference_runs_) reference_runs_ = unwrap(load_runs(data_dir() + "/pre_runs.csv", Measurements::kRequired, &gpus()));
  return *reference_runs_;
}

const std::vector<MeasuredRun>& Workspace::all_runs() {
  if (!all_runs_) {
    std::vector<MeasuredRun> runs = reference_runs();
    for (const char* file : {"/zeus/zeus_runs.csv", "/h200_runs.csv"}) {
      auto more = unwrap(load_runs(data_dir() + file, Measurements::kRequired, &gpus()));
      runs.insert(runs.end(), more.begin(), more.end());
    }
    all_runs_ = std::move(runs);
  }
  return *all_runs_;
}

std::vector<MeasuredRun> Workspace::runs_named(const std::string& data) {
  if (data.empty() || data == "study") return reference_runs();
  if (data == "all") return all_runs();
  std::vector<MeasuredRun> runs;
  size_t start = 0;
  while (start <= data.size()) {
    const size_t comma = std::min(data.find(',', start), data.size());
    auto more = unwrap(load_runs(data.substr(start, comma - start), Measurements::kRequired, &gpus()));
    runs.insert(runs.end(), more.begin(), more.end());
    start = comma + 1;
  }
  return runs;
}

const ArchitectureTable& Workspace::architectures() {
  if (!architectures_) {
    ArchitectureTable table;
    for (const auto& run : reference_runs()) {
      if (!run.architecture.empty()) {
        table.add(run.architecture, run.config.input_size, {run.config.gflops, run.config.activation_bytes, run.config.parameters});
      }
    }
    architectures_ = std::move(table);
  }
  return *architectures_;
}

const FittedModel& Workspace::shipped_model(const std::string& method) {
  for (const auto& [name, model] : shipped_models_) {
    if (name == method) return *model;
  }
  // Built with the binary (see CMakeLists.txt); fitting here is the fallback for a tree without it.
  const std::string prefitted = data_dir() + "/shipped-" + method + ".json";
  std::unique_ptr<FittedModel> model;
  if (std::filesystem::exists(prefitted)) {
    model = unwrap(load_model_file(prefitted));
  } else {
    model = unwrap(fit_model(method, runs_named(default_data(method)), FitOptions{}));
  }
  shipped_models_.emplace_back(method, std::move(model));
  return *shipped_models_.back().second;
}

}  // namespace wattcast::cli
