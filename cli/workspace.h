#pragma once
// What the commands share: the reference data, loaded on first use. Owned by main.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "carbon/carbon_catalog.h"
#include "estimate/estimate_request.h"
#include "estimate/fitted_model.h"
#include "estimate/measured_run.h"
#include "hardware/gpu_catalog.h"

namespace wattcast::cli {

class Workspace {
 public:
  const std::string& data_dir();
  const GpuCatalog& gpus();
  const CarbonCatalog& carbon();
  const std::vector<MeasuredRun>& reference_runs();  // data/pre_runs.csv
  // The study's runs, Zeus's (data/zeus/zeus_runs.csv) and the H200's (data/h200_runs.csv).
  const std::vector<MeasuredRun>& all_runs();
  // `--data`: "study" (pre_runs.csv), "all", or CSV paths separated by commas.
  std::vector<MeasuredRun> runs_named(const std::string& data);
  // The data a fitted method is shipped on: all runs for roofline; the study's runs for the
  // study-shaped models, whose inputs (job RAM, input size) the other data sets lack.
  std::string default_data(const std::string& method) const { return method == "roofline" ? "all" : "study"; }
  const ArchitectureTable& architectures();
  // The shipped model of a fitted method, trained on all reference runs: data/shipped-METHOD.json
  // when the build made it, else fitted now.
  const FittedModel& shipped_model(const std::string& method);

 private:
  std::optional<std::string> data_dir_;
  std::optional<GpuCatalog> gpus_;
  std::optional<CarbonCatalog> carbon_;
  std::optional<std::vector<MeasuredRun>> reference_runs_;
  std::optional<std::vector<MeasuredRun>> all_runs_;
  std::optional<ArchitectureTable> architectures_;
  std::vector<std::pair<std::string, std::unique_ptr<FittedModel>>> shipped_models_;
};

}  // namespace wattcast::cli
