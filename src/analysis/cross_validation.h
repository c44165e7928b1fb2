#pragma once
// How well each estimation method predicts runs it was not fitted on.
//  rows:   the study's split, k folds of shuffled rows (repeats of a configuration land on
//          both sides, so a fitted model has seen near-twins of what it predicts);
//  config: leave one configuration out (every run of it held out together), the real use of
//          an offline estimate: a configuration never run before;
//  gpu:    leave one GPU model out (every run on it held out together): a user's GPU that the
//          data never saw;
//  source: leave one data set out (the study's, Zeus's, the H200's).

#include <functional>
#include <string>
#include <vector>

#include "analysis/error_metrics.h"
#include "core/result.h"
#include "estimate/fitted_model.h"
#include "estimate/measured_run.h"

namespace wattcast {

enum class CvMode { kRows, kConfig, kGpu, kSource };

struct CvSettings {
  CvMode mode = CvMode::kConfig;
  int folds = 5;  // rows mode
  unsigned seed = 0;
  FitOptions fit;
  // Steps done of all steps (a fit per fold and fitted method, one per other method), when set.
  std::function<void(int done, int total)> progress;
};

struct MethodScores {
  std::string method;
  ErrorMetrics power_w;
  ErrorMetrics epoch_energy_kj;
  std::optional<ErrorMetrics> epoch_time_s;  // absent where the method is given the measured duration
};

// Fold index of every run.
std::vector<int> assign_folds(const std::vector<MeasuredRun>& runs, const CvSettings& settings, int* fold_count);

// MLCO2 and Green Algorithms are given each run's measured duration, as the study did, so
// their scores measure their power assumption alone.
Result<std::vector<MethodScores>> cross_validate(const std::vector<MeasuredRun>& runs, const std::vector<std::string>& methods,
                                                 const CvSettings& settings);

}  // namespace wattcast
