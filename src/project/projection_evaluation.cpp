#include "project/projection_evaluation.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include <fmt/format.h>

#include "project/earliest_projection.h"

namespace wattcast {

namespace {

double median_of(std::vector<double> values) {
  if (values.empty()) return std::nan("");
  std::sort(values.begin(), values.end());
  const size_t n = values.size();
  return n % 2 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2]);
}

// The value below which `share` of them lie (nearest rank).
double quantile_of(std::vector<double> values, double share) {
  if (values.empty()) return std::nan("");
  std::sort(values.begin(), values.end());
  const auto rank = static_cast<size_t>(std::ceil(share * static_cast<double>(values.size())));
  return values[std::min(values.size(), std::max<size_t>(rank, 1)) - 1];
}

// The errors of one detector/method/moment over the runs.
struct Tally {
  int runs = 0;
  std::vector<double> abs_error_pct, error_kj, first_epoch, width_pct;
  int covered = 0;

  void add(const Projection& p, double actual_j) {
    abs_error_pct.push_back(100 * std::abs(p.energy_j - actual_j) / actual_j);
    width_pct.push_back(100 * (p.high_j - p.low_j) / actual_j);
    error_kj.push_back((p.energy_j - actual_j) / 1000);
    if (p.low_j <= actual_j && actual_j <= p.high_j) ++covered;
  }
  ProjectionScore score(std::string detector, std::string method, std::string when) const {
    ProjectionScore s;
    s.detector = std::move(detector);
    s.method = std::move(method);
    s.when = std::move(when);
    s.runs = runs;
    s.available = static_cast<int>(abs_error_pct.size());
    if (s.available == 0) return s;
    s.median_first_epoch = first_epoch.empty() ? 0 : median_of(first_epoch);
    s.median_abs_error_pct = median_of(abs_error_pct);
    s.p90_abs_error_pct = quantile_of(abs_error_pct, 0.9);
    s.mean_abs_error_pct = std::accumulate(abs_error_pct.begin(), abs_error_pct.end(), 0.0) / s.available;
    double squares = 0;
    for (double e : error_kj) squares += e * e;
    s.rmse_kj = std::sqrt(squares / s.available);
    s.coverage = static_cast<double>(covered) / s.available;
    return s;
  }
};

const std::vector<std::string> kMethods = {"epoch-energy", "power"};

// Projections after k epochs seen, or nothing when the detector or the window is not ready. As
// live, with the phase signal where the run has one, but with no fallback to another detector:
// each is scored on its own.
std::vector<Projection> replay_after(const EpochTrace& run, const StabilizationDetector& detector, size_t k, const ProjectionOptions& options) {
  const EpochTrace seen = run.first_epochs(k);
  auto stable = detector.detect(seen);
  if (!stable) return {};
  auto projected = project_total(seen, with_phase_signal(seen, *stable, nullptr), static_cast<int>(run.epochs.size()), options);
  return projected ? projected->projections : std::vector<Projection>{};
}

SweepCell sweep_cell(const std::vector<EpochTrace>& runs, int window, int start) {
  SweepCell cell;
  cell.window = window;
  cell.start_epoch = start;
  std::vector<double> errors_pct;
  double squares = 0;
  for (const auto& run : runs) {
    const int last = start + window - 1;
    if (last > static_cast<int>(run.epochs.size())) continue;
    ProjectionOptions options;
    options.window = window;
    options.window_first = start;
    Stabilization at_start{start, 1, "fixed", ""};
    auto projected = project_total(run.first_epochs(static_cast<size_t>(last)), at_start, static_cast<int>(run.epochs.size()), options);
    if (!projected) continue;
    const double error_j = projected->projections.front().energy_j - *run.actual_total_j;
    squares += error_j * error_j / 1e6;
    errors_pct.push_back(100 * std::abs(error_j) / *run.actual_total_j);
  }
  cell.runs = static_cast<int>(errors_pct.size());
  if (cell.runs > 0) {
    cell.rmse_kj = std::sqrt(squares / cell.runs);
    cell.median_abs_error_pct = median_of(errors_pct);
  }
  return cell;
}

}  // namespace

std::vector<int> every_epoch_to_30_then_some() {
  std::vector<int> epochs;
  for (int k = 2; k <= 30; ++k) epochs.push_back(k);
  for (int k : {40, 50, 75, 100}) epochs.push_back(k);
  return epochs;
}

ProjectionEvaluation evaluate_projections(const std::vector<EpochTrace>& all_runs, const EvaluationOptions& options) {
  ProjectionEvaluation out;
  std::vector<EpochTrace> runs;
  for (const auto& run : all_runs) {
    if (!run.actual_total_j || *run.actual_total_j <= 0 || run.epochs.empty()) {
      out.notes.push_back(run.source + ": skipped (no actual total to compare with)");
      continue;
    }
    runs.push_back(run);
  }
  for (const auto& name : options.detectors) {
    auto detector = make_detector(name);
    if (!detector) {
      out.notes.push_back(detector.error().message);
      continue;
    }
    std::map<std::string, Tally> first;
    std::map<std::pair<int, std::string>, Tally> after;
    std::map<int, Tally> at_epoch;
    for (const auto& run : runs) {
      const double actual_j = *run.actual_total_j;
      for (const auto& method : kMethods) ++first[method].runs;
      for (size_t k = 1; k <= run.epochs.size(); ++k) {
        const auto projections = replay_after(run, **detector, k, options.projection);
        if (projections.empty()) continue;
        for (const auto& p : projections) {
          first[p.method].add(p, actual_j);
          first[p.method].first_epoch.push_back(static_cast<double>(k));
        }
        break;
      }
      for (int k : options.after_epochs) {
        for (const auto& method : kMethods) ++after[{k, method}].runs;
        if (k > static_cast<int>(run.epochs.size())) continue;
        for (const auto& p : replay_after(run, **detector, static_cast<size_t>(k), options.projection)) after[{k, p.method}].add(p, actual_j);
      }
      for (int k : options.coverage_epochs) {
        if (k > static_cast<int>(run.epochs.size())) continue;
        const auto projections = replay_after(run, **detector, static_cast<size_t>(k), options.projection);
        if (!projections.empty()) at_epoch[k].add(projections.front(), actual_j);
      }
    }
    for (const auto& method : kMethods) {
      out.scores.push_back(first[method].score(name, method, "first available"));
      for (int k : options.after_epochs) out.scores.push_back(after[{k, method}].score(name, method, fmt::format("after {} epochs", k)));
    }
    for (int k : options.coverage_epochs) {
      const ProjectionScore s = at_epoch[k].score(name, "epoch-energy", "");
      out.by_epoch.push_back({name, k, s.available, s.coverage, s.median_abs_error_pct, s.p90_abs_error_pct,
                              s.available ? median_of(at_epoch[k].width_pct) : 0.0});
    }
  }
  const int window = options.projection.window;
  for (int w = 2; w <= 10; ++w) out.by_window.push_back(sweep_cell(runs, w, kStudyStabilizingEpoch));
  for (int start = 1; start <= 20; ++start) out.by_start_epoch.push_back(sweep_cell(runs, window, start));
  return out;
}

}  // namespace wattcast

namespace wattcast {

SwitchDetectionScore score_switch_detection(const std::vector<KnownSwitch>& runs, const StabilizationDetector& detector,
                                            int tolerance_epochs) {
  SwitchDetectionScore score;
  score.detector = std::string(detector.name());
  score.tolerance_epochs = tolerance_epochs;
  for (const auto& run : runs) {
    ++score.runs_with_switch;
    auto found = detector.detect(run.trace);
    if (!found) {
      ++score.no_answer;
    } else if (std::abs(found->epoch - run.switch_epoch) <= tolerance_epochs) {
      ++score.found;
    }
  }
  return score;
}

}  // namespace wattcast
