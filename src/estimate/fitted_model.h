#pragma once
// Models fitted to measured runs ("pre-paper", "wattcast"): fit, save, load.

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "core/result.h"
#include "estimate/estimator.h"
#include "estimate/measured_run.h"

namespace wattcast {

class FittedModel : public Estimator {
 public:
  virtual nlohmann::json to_json() const = 0;
};

struct FitOptions {
  // pre-paper: search alpha and gamma by randomized-search CV (the study's procedure) instead
  // of using the study's chosen values.
  bool search_hyperparameters = false;
  int search_iterations = 60;
  unsigned seed = 0;
  // Steps done of all steps, after each, when set: the search takes seconds.
  std::function<void(int done, int total)> progress;
};

inline constexpr const char* kDefaultMethod = "wattcast";

Result<std::unique_ptr<FittedModel>> fit_model(const std::string& method, const std::vector<MeasuredRun>& runs,
                                               const FitOptions& options);
Result<std::unique_ptr<FittedModel>> model_from_json(const nlohmann::json& json);
Result<std::unique_ptr<FittedModel>> load_model_file(const std::string& path);
Status save_model_file(const FittedModel& model, const std::string& path);

bool is_fitted_method(const std::string& method);

}  // namespace wattcast
