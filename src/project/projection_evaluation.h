#pragma once
// Replays finished runs epoch by epoch, as `measure` would see them live, and scores each
// detector and each projection against the runs' actual totals: when the projection is first
// available, and after a fixed number of epochs. Also the study's sweep: the error for each
// window size w and each stabilizing (window start) epoch.

#include <map>
#include <string>
#include <vector>

#include "project/epoch_trace.h"
#include "project/projection.h"
#include "project/stabilization.h"

namespace wattcast {

struct ProjectionScore {
  std::string detector, method;
  std::string when;  // "first available" or "after 15 epochs"
  int runs = 0;       // runs scored
  int available = 0;  // runs with a projection at that point
  double median_first_epoch = 0;  // "first available" only
  double median_abs_error_pct = 0, mean_abs_error_pct = 0, rmse_kj = 0;
  double p90_abs_error_pct = 0;
  double coverage = 0;  // share of available projections whose interval holds the actual total
};

// The epoch-energy projection after a given number of epochs, over the runs that had one then.
struct EpochCoverage {
  std::string detector;
  int epoch = 0;
  int available = 0;
  double coverage = 0;
  double median_abs_error_pct = 0, p90_abs_error_pct = 0;
  double median_width_pct = 0;  // the interval's width, % of the actual total
};

struct SweepCell {
  int window = 0, start_epoch = 0;
  int runs = 0;
  double rmse_kj = 0, median_abs_error_pct = 0;
};

struct ProjectionEvaluation {
  std::vector<ProjectionScore> scores;
  std::vector<SweepCell> by_window;       // start epoch = the study's 10
  std::vector<SweepCell> by_start_epoch;  // window = the chosen one
  std::vector<EpochCoverage> by_epoch;     // per detector, for each of EvaluationOptions::coverage_epochs
  std::vector<std::string> notes;         // runs skipped and why
};

std::vector<int> every_epoch_to_30_then_some();

struct EvaluationOptions {
  std::vector<std::string> detectors = {"fixed", "online", "fluss"};
  std::vector<int> after_epochs = {10, 15, 20};
  // Every epoch up to 30 (the first projections and the phase switches fall there), then a few.
  std::vector<int> coverage_epochs = every_epoch_to_30_then_some();
  ProjectionOptions projection;
};

// Every trace must be finished: its epochs are the whole run and actual_total_j is set.
ProjectionEvaluation evaluate_projections(const std::vector<EpochTrace>& runs, const EvaluationOptions& options);

}  // namespace wattcast

namespace wattcast {

// How often a detector puts the stabilizing epoch within `tolerance_epochs` of a known phase
// switch (synthetic runs), run on the whole trace.
struct SwitchDetectionScore {
  std::string detector;
  int runs_with_switch = 0;
  int found = 0;      // within tolerance
  int no_answer = 0;  // the detector gave no epoch
  int tolerance_epochs = 2;
};

struct KnownSwitch {
  EpochTrace trace;
  int switch_epoch = 0;
};

SwitchDetectionScore score_switch_detection(const std::vector<KnownSwitch>& runs, const StabilizationDetector& detector,
                                            int tolerance_epochs = 2);

}  // namespace wattcast
