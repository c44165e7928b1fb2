#include "estimate/fitted_model.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "core/file_input.h"
#include "core/output_file.h"
#include "estimate/pre_paper_model.h"
#include "estimate/roofline_model.h"
#include "estimate/wattcast_model.h"

namespace wattcast {

bool is_fitted_method(const std::string& method) { return method == "wattcast" || method == "pre-paper" || method == "roofline"; }

Result<std::unique_ptr<FittedModel>> fit_model(const std::string& method, const std::vector<MeasuredRun>& runs,
                                               const FitOptions& options) {
  if (runs.empty()) return Error{"no runs to fit on"};
  for (const auto& run : runs) {
    if (!run.avg_gpu_power_w || !run.avg_epoch_energy_j) return Error{"cannot fit on runs without measured power and epoch energy"};
  }
  if (method == "pre-paper") return std::unique_ptr<FittedModel>(std::make_unique<PrePaperModel>(PrePaperModel::fit(runs, options)));
  if (method == "wattcast") {
    auto model = WattcastModel::fit(runs, options);
    if (!model) return model.error();
    return std::unique_ptr<FittedModel>(std::make_unique<WattcastModel>(std::move(model).value()));
  }
  if (method == "roofline") {
    auto model = RooflineModel::fit(runs, options);
    if (!model) return model.error();
    return std::unique_ptr<FittedModel>(std::make_unique<RooflineModel>(std::move(model).value()));
  }
  return Error{"unknown fitted method '" + method + "' (expected wattcast, roofline or pre-paper)"};
}

Result<std::unique_ptr<FittedModel>> model_from_json(const nlohmann::json& json) {
  if (!json.is_object() || !json.contains("method") || !json["method"].is_string()) return Error{"not a wattcast model: no \"method\""};
  const std::string method = json["method"].get<std::string>();
  if (method == "pre-paper") {
    auto model = PrePaperModel::from_json(json);
    if (!model) return model.error();
    return std::unique_ptr<FittedModel>(std::make_unique<PrePaperModel>(std::move(model).value()));
  }
  if (method == "wattcast") {
    auto model = WattcastModel::from_json(json);
    if (!model) return model.error();
    return std::unique_ptr<FittedModel>(std::make_unique<WattcastModel>(std::move(model).value()));
  }
  if (method == "roofline") {
    auto model = RooflineModel::from_json(json);
    if (!model) return model.error();
    return std::unique_ptr<FittedModel>(std::make_unique<RooflineModel>(std::move(model).value()));
  }
  return Error{"unknown model method '" + method + "'"};
}

Result<std::unique_ptr<FittedModel>> load_model_file(const std::string& path) {
  auto read = read_input_file(path);
  if (!read) return read.error();
  nlohmann::json json;
  try {
    json = nlohmann::json::parse(*read);
  } catch (const nlohmann::json::parse_error& e) {
    const std::string& content = *read;
    const int line = 1 + static_cast<int>(std::count(content.begin(), content.begin() + static_cast<long>(std::min(e.byte, content.size())), '\n'));
    return Error::at(path, line, "", "malformed JSON");
  }
  auto model = model_from_json(json);
  if (!model) return Error::in_file(path, model.error().message);
  return model;
}

Status save_model_file(const FittedModel& model, const std::string& path) {
  return write_output_file(path, model.to_json().dump(1) + "\n");
}

}  // namespace wattcast
