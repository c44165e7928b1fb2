// `wattcast project` (a run's total energy from its first stable epochs, STEP), its evaluation
// on finished or synthetic runs, and `wattcast segment` (FLUSS on a run's power trace).

#include <algorithm>
#include <cmath>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/cli_error.h"
#include "cli/commands.h"
#include "cli/flag_checks.h"
#include "cli/output.h"
#include "cli/run_output.h"
#include "project/earliest_projection.h"
#include "project/fluss_detector.h"
#include "project/projection_evaluation.h"
#include "project/stored_run.h"
#include "project/synthetic_run.h"
#include "core/human_numbers.h"
#include "report/text_table.h"

namespace wattcast::cli {

namespace {

constexpr int64_t kMaxEpochs = 1000000;
constexpr int64_t kMaxRegimes = 100;

struct ProjectOptions {
  std::vector<std::string> inputs;
  std::string store = default_store_path();
  int epochs = 0;
  std::string detector = "online";
  int window = 5;
  int at_epoch = 0;
  int window_start = 0;
  double slice_s = 60;
  bool evaluate = false;
  int synthetic = 0;
  uint64_t seed = 1;
  std::string format = "text";
  std::string out;
};

bool is_run_id(const std::string& input) {
  return !input.empty() && std::all_of(input.begin(), input.end(), [](unsigned char c) { return std::isdigit(c); });
}

// A run id in the store, or a CSV of per-epoch figures.
EpochTrace load_trace(const std::string& input, const ProjectOptions& options) {
  if (is_run_id(input)) {
    auto store = open_existing_store(options.store);
    StoredRunOptions stored;
    stored.slice_s = options.slice_s;
    return unwrap(read_stored_run(*store, std::stoll(input), stored));
  }
  EpochTrace trace = unwrap(read_epoch_csv(input));
  // A CSV holds the whole run unless --epochs says more are to come.
  if (options.epochs == 0 || options.epochs == static_cast<int>(trace.epochs.size())) {
    double total_j = 0;
    for (const auto& e : trace.epochs) total_j += e.energy_j;
    trace.actual_total_j = total_j;
  }
  return trace;
}

struct ProjectionResult {
  EpochTrace trace;
  int total_epochs = 0;
  int seen = 0;
  Stabilization stabilization;
  ProjectionSet projections;
  std::vector<std::string> notes;
};

ProjectionResult project_one(const ProjectOptions& options) {
  if (options.inputs.size() != 1) throw CliError("project: give one RUN (a run id or a CSV of epochs); several only with --evaluate");
  ProjectionResult r;
  r.trace = load_trace(options.inputs.front(), options);
  r.notes = r.trace.notes;
  const int recorded = static_cast<int>(r.trace.epochs.size());
  const bool finished = r.trace.actual_total_j.has_value();
  r.total_epochs = options.epochs > 0 ? options.epochs : recorded;
  if (options.epochs == 0 && !finished) throw CliError("--epochs: needed for a run still going (how many epochs it will have)");
  if (r.total_epochs < recorded) throw CliError(fmt::format("--epochs {}: the run already has {} epochs", r.total_epochs, recorded));
  if (options.at_epoch > recorded) throw CliError(fmt::format("--at-epoch {}: the run has {} epochs", options.at_epoch, recorded));
  if (finished && r.total_epochs > recorded) {
    // Its total is that of a shorter run than the one projected: nothing to compare with.
    r.trace.actual_total_j.reset();
    r.notes.push_back(fmt::format("--epochs {}: the run ended after {} epochs, so its measured total is no error reference", r.total_epochs, recorded));
  }
  ProjectionOptions projection;
  projection.window = options.window;
  if (options.window_start > 0) projection.window_first = options.window_start;
  if (recorded < options.window) {
    throw CliError(fmt::format("{}: {} epoch(s), fewer than the window of {} (try --window {})", r.trace.source, recorded,
                               options.window, std::max(2, recorded)));
  }
  // After a given epoch; or, for a finished run, as soon as it became possible (as `measure`
  // would have shown it); else after every epoch seen.
  std::vector<int> candidates;
  if (options.at_epoch > 0) {
    candidates = {options.at_epoch};
  } else if (finished && options.window_start == 0) {
    for (int k = options.window; k <= recorded; ++k) candidates.push_back(k);
  } else {
    candidates = {recorded};
  }
  auto found = first_projection(r.trace, candidates, options.detector, r.total_epochs, projection);
  if (!found) throw CliError(r.trace.source + ": no projection possible: " + found.error().message);
  r.seen = found->epochs_seen;
  r.stabilization = found->stabilization;
  r.projections = found->projections;
  r.notes.insert(r.notes.end(), found->notes.begin(), found->notes.end());
  r.notes.insert(r.notes.end(), found->projections.notes.begin(), found->projections.notes.end());
  return r;
}

std::string render_projection_text(const ProjectionResult& r, size_t width) {
  std::string out = fmt::format("{}: {} of {} epochs seen", r.trace.source, r.seen, r.total_epochs);
  if (r.trace.actual_total_j) out += fmt::format(", actual total {}", human_energy(*r.trace.actual_total_j));
  out += "\n";
  out += fmt::format("detector: {}, stabilizing epoch {} (confidence {:.2f}; {})\n", r.stabilization.detector, r.stabilization.epoch,
                     r.stabilization.confidence, r.stabilization.note);
  const Projection& first = r.projections.projections.front();
  out += fmt::format("window: epochs {}-{}; 90% intervals from the spread of the window's epochs{}\n", first.window_first, first.window_last,
                     first.wide_because.empty() ? "" : " and a possible phase switch (see the note)");
  out += fmt::format("measured up to epoch {}: {} (start-up and gaps between epochs included); teardown allowance {}\n\n", r.seen,
                     human_energy(first.measured_j), human_energy(first.teardown_j));
  std::vector<std::string> header = {"projection", "energy", "low", "high", "duration"};
  if (r.trace.actual_total_j) header.push_back("error_pct");
  TextTable table(header);
  for (const auto& p : r.projections.projections) {
    std::vector<std::string> row = {p.method, human_energy(p.energy_j), human_energy(p.low_j), human_energy(p.high_j), human_duration(p.duration_s)};
    if (r.trace.actual_total_j) row.push_back(fmt::format("{:+.2f}", 100 * (p.energy_j / *r.trace.actual_total_j - 1)));
    table.add_row(row);
  }
  out += table.render(width);
  for (const auto& note : r.notes) out += "note: " + note + "\n";
  return out;
}

nlohmann::json projection_json(const ProjectionResult& r) {
  nlohmann::json j;
  j["source"] = r.trace.source;
  j["epochs_seen"] = r.seen;
  j["total_epochs"] = r.total_epochs;
  j["detector"] = {{"name", r.stabilization.detector},
                   {"stabilizing_epoch", r.stabilization.epoch},
                   {"confidence", r.stabilization.confidence},
                   {"note", r.stabilization.note}};
  j["actual_total_j"] = r.trace.actual_total_j ? nlohmann::json(*r.trace.actual_total_j) : nlohmann::json();
  j["projections"] = nlohmann::json::array();
  for (const auto& p : r.projections.projections) {
    nlohmann::json pj = {{"method", p.method},         {"energy_j", p.energy_j},         {"low_j", p.low_j},
                         {"high_j", p.high_j},         {"duration_s", p.duration_s},     {"window_first", p.window_first},
                         {"window_last", p.window_last}, {"measured_j", p.measured_j}, {"teardown_j", p.teardown_j},
                         {"wide_because", p.wide_because}};
    if (r.trace.actual_total_j) pj["error_pct"] = 100 * (p.energy_j / *r.trace.actual_total_j - 1);
    j["projections"].push_back(pj);
  }
  j["notes"] = r.notes;
  return j;
}

std::string render_evaluation_text(const ProjectionEvaluation& e, const std::vector<SwitchDetectionScore>& switches, size_t runs) {
  std::string out = fmt::format("{} runs replayed epoch by epoch\n\n", runs);
  TextTable scores({"detector", "projection", "when", "available", "median_first_epoch", "median_abs_error_pct", "p90_abs_error_pct",
                    "mean_abs_error_pct", "rmse_kj", "coverage_90"});
  for (const auto& s : e.scores) {
    scores.add_row({s.detector, s.method, s.when, fmt::format("{}/{}", s.available, s.runs),
                    s.when == "first available" && s.available ? fmt::format("{:.0f}", s.median_first_epoch) : "-",
                    s.available ? fmt::format("{:.2f}", s.median_abs_error_pct) : "-", s.available ? fmt::format("{:.2f}", s.p90_abs_error_pct) : "-",
                    s.available ? fmt::format("{:.2f}", s.mean_abs_error_pct) : "-",
                    s.available ? format_number(s.rmse_kj) : "-", s.available ? fmt::format("{:.1f}%", 100 * s.coverage) : "-"});
  }
  out += scores.render(terminal_width());
  out += "\nthe epoch-energy projection after k epochs (runs with a projection then; width: the 90% interval, % of the actual total)\n";
  TextTable by_epoch({"detector", "epoch", "available", "coverage_90", "median_abs_error_pct", "p90_abs_error_pct", "median_width_pct"});
  for (const auto& c : e.by_epoch) {
    by_epoch.add_row({c.detector, std::to_string(c.epoch), std::to_string(c.available), c.available ? fmt::format("{:.1f}%", 100 * c.coverage) : "-",
                      c.available ? fmt::format("{:.2f}", c.median_abs_error_pct) : "-", c.available ? fmt::format("{:.2f}", c.p90_abs_error_pct) : "-",
                      c.available ? format_number(c.median_width_pct) : "-"});
  }
  out += by_epoch.render(terminal_width());
  auto sweep = [](const std::vector<SweepCell>& cells, const char* varied) {
    TextTable t({varied, "runs", "rmse_kj", "median_abs_error_pct"});
    for (const auto& c : cells) {
      t.add_row({std::to_string(std::string(varied) == "window" ? c.window : c.start_epoch), std::to_string(c.runs),
                 c.runs ? format_number(c.rmse_kj) : "-", c.runs ? fmt::format("{:.2f}", c.median_abs_error_pct) : "-"});
    }
    return t.render(terminal_width());
  };
  out += fmt::format("\nthe study's sweep, epoch-energy projection from the window alone (E_w x s/w + E_u)\nby window size, window starting at epoch {}:\n",
                     kStudyStabilizingEpoch);
  out += sweep(e.by_window, "window");
  out += "by window start (stabilizing) epoch:\n";
  out += sweep(e.by_start_epoch, "start_epoch");
  if (!switches.empty()) {
    out += "\nphase switch found (synthetic runs with one, whole trace):\n";
    TextTable t({"detector", "runs", "within_2_epochs", "no_answer", "share"});
    for (const auto& s : switches) {
      t.add_row({s.detector, std::to_string(s.runs_with_switch), std::to_string(s.found), std::to_string(s.no_answer),
                 s.runs_with_switch ? fmt::format("{:.1f}%", 100.0 * s.found / s.runs_with_switch) : "-"});
    }
    out += t.render(terminal_width());
  }
  for (const auto& note : e.notes) out += "note: " + note + "\n";
  return out;
}

nlohmann::json evaluation_json(const ProjectionEvaluation& e, const std::vector<SwitchDetectionScore>& switches, size_t runs) {
  nlohmann::json j;
  j["runs"] = runs;
  j["scores"] = nlohmann::json::array();
  for (const auto& s : e.scores) {
    j["scores"].push_back({{"detector", s.detector},
                           {"projection", s.method},
                           {"when", s.when},
                           {"runs", s.runs},
                           {"available", s.available},
                           {"median_first_epoch", s.median_first_epoch},
                           {"median_abs_error_pct", s.median_abs_error_pct},
                           {"p90_abs_error_pct", s.p90_abs_error_pct},
                           {"mean_abs_error_pct", s.mean_abs_error_pct},
                           {"rmse_kj", s.rmse_kj},
                           {"coverage", s.coverage}});
  }
  auto cells = [](const std::vector<SweepCell>& cs) {
    nlohmann::json a = nlohmann::json::array();
    for (const auto& c : cs) {
      a.push_back({{"window", c.window}, {"start_epoch", c.start_epoch}, {"runs", c.runs}, {"rmse_kj", c.rmse_kj},
                   {"median_abs_error_pct", c.median_abs_error_pct}});
    }
    return a;
  };
  j["by_epoch"] = nlohmann::json::array();
  for (const auto& c : e.by_epoch) {
    j["by_epoch"].push_back({{"detector", c.detector}, {"epoch", c.epoch}, {"available", c.available}, {"coverage", c.coverage},
                             {"median_abs_error_pct", c.median_abs_error_pct}, {"p90_abs_error_pct", c.p90_abs_error_pct},
                             {"median_width_pct", c.median_width_pct}});
  }
  j["sweep_by_window"] = cells(e.by_window);
  j["sweep_by_start_epoch"] = cells(e.by_start_epoch);
  j["switch_detection"] = nlohmann::json::array();
  for (const auto& s : switches) {
    j["switch_detection"].push_back(
        {{"detector", s.detector}, {"runs_with_switch", s.runs_with_switch}, {"found", s.found}, {"no_answer", s.no_answer}});
  }
  j["notes"] = e.notes;
  return j;
}

void evaluate(const ProjectOptions& options) {
  if (options.synthetic < 0) throw CliError("--synthetic: must not be negative");
  if (options.synthetic == 0 && options.inputs.empty()) throw CliError("--evaluate: give finished runs (ids or CSVs), or --synthetic COUNT");
  std::vector<EpochTrace> traces;
  std::vector<KnownSwitch> with_switch;
  for (const auto& input : options.inputs) traces.push_back(load_trace(input, options));
  for (auto& run : synthetic_suite(options.synthetic, options.seed)) {
    if (run.options.phase_switch_epoch) with_switch.push_back({run.trace, *run.options.phase_switch_epoch});
    traces.push_back(std::move(run.trace));
  }
  EvaluationOptions evaluation;
  evaluation.projection.window = options.window;
  const ProjectionEvaluation result = evaluate_projections(traces, evaluation);
  std::vector<SwitchDetectionScore> switches;
  if (!with_switch.empty()) {
    for (const auto& name : evaluation.detectors) switches.push_back(score_switch_detection(with_switch, *unwrap(make_detector(name))));
  }
  emit(options.format == "json" ? evaluation_json(result, switches, traces.size()).dump(2) + "\n"
                                : render_evaluation_text(result, switches, traces.size()),
       options.out);
}

void run_project(const ProjectOptions& options) {
  check_format(options.format, {"text", "json"});
  if (options.window < 2) throw CliError("--window: must be at least 2 (the interval comes from the window's spread)");
  if (!(options.slice_s > 0)) throw CliError("--slice-s: must be positive");
  if (options.evaluate || options.synthetic > 0) return evaluate(options);
  if (options.inputs.empty()) throw CliError("project: give a RUN (a run id in the store, or a CSV of epochs)");
  const ProjectionResult r = project_one(options);
  emit(options.format == "json" ? projection_json(r).dump(2) + "\n" : render_projection_text(r, table_width(options.out)), options.out);
}

struct SegmentOptions {
  std::string input;
  std::string store = default_store_path();
  int regimes = 2;
  std::string format = "text";
};

void run_segment(const SegmentOptions& options) {
  check_format(options.format, {"text", "json"});
  ProjectOptions load;
  load.store = options.store;
  const EpochTrace trace = load_trace(options.input, load);
  const FlussDetector detector;
  const auto s = unwrap(detector.segment(trace, static_cast<size_t>(options.regimes)));
  if (static_cast<size_t>(options.regimes) > s.max_regimes) {
    throw CliError(fmt::format("--regimes {}: this power trace has room for at most {}: boundaries stay {} points ({}) apart and away from "
                               "the ends, and the trace has {} points",
                               options.regimes, s.max_regimes, s.exclusion_points, human_duration(static_cast<double>(s.exclusion_points) * s.point_s),
                               s.power_w.size()));
  }
  const size_t found = s.boundaries.size();
  // Shown in time order; json keeps the strongest first.
  std::vector<size_t> by_time = s.boundaries;
  std::sort(by_time.begin(), by_time.end());
  const auto minimum = std::min_element(s.corrected_arc_curve.begin(), s.corrected_arc_curve.end());
  const size_t at = minimum == s.corrected_arc_curve.end() ? 0 : static_cast<size_t>(minimum - s.corrected_arc_curve.begin());
  if (options.format == "json") {
    nlohmann::json j = {{"source", trace.source}, {"point_s", s.point_s}, {"window_points", s.window_points}, {"min_cac", s.min_cac},
                        {"min_cac_at_s", static_cast<double>(at) * s.point_s}, {"corrected_arc_curve", s.corrected_arc_curve},
                        {"notes", trace.notes}};
    j["boundaries"] = nlohmann::json::array();
    for (size_t i = 0; i < s.boundaries.size(); ++i) {
      j["boundaries"].push_back({{"t_s", static_cast<double>(s.boundaries[i]) * s.point_s}, {"epoch", s.boundary_epochs[i]}});
    }
    emit(j.dump() + "\n", "");
    return;
  }
  std::string out = fmt::format("{}: power trace resampled to {} points of {}, subsequence window {} points ({})\n", trace.source,
                                s.power_w.size(), human_duration(s.point_s), s.window_points, human_duration(static_cast<double>(s.window_points) * s.point_s));
  out += fmt::format("corrected arc curve minimum {:.3f} at {} (low = a regime change; near 1 = none)\n", s.min_cac,
                     human_duration(static_cast<double>(at) * s.point_s));
  TextTable table({"boundary", "at", "nearest_epoch_start", "strength_rank", "corrected_arc_curve"});
  for (size_t i = 0; i < by_time.size(); ++i) {
    const size_t rank = static_cast<size_t>(std::find(s.boundaries.begin(), s.boundaries.end(), by_time[i]) - s.boundaries.begin());
    table.add_row({std::to_string(i + 1), human_duration(static_cast<double>(by_time[i]) * s.point_s), std::to_string(s.boundary_epochs[rank]),
                   std::to_string(rank + 1), fmt::format("{:.3f}", s.corrected_arc_curve[by_time[i]])});
  }
  out += s.boundaries.empty() ? "no regime boundary found\n" : table.render(terminal_width());
  if (found + 1 < static_cast<size_t>(options.regimes)) {
    out += fmt::format("note: {} of the {} boundaries asked for: the corrected arc curve shows no further change (it is 1 everywhere left)\n", found,
                       options.regimes - 1);
  }
  for (const auto& note : trace.notes) out += "note: " + note + "\n";
  emit(out, "");
}

}  // namespace

void add_project_commands(CLI::App& app) {
  auto options = std::make_shared<ProjectOptions>();
  auto* project = app.add_subcommand("project", "Project a run's total energy from its first stable epochs (STEP), or evaluate the projections");
  project->add_option("runs", options->inputs, "Run ids in the store, or CSVs of per-epoch duration_s and energy_j (several with --evaluate)");
  project->add_option("--store", options->store, "Run store: an SQLite file or a postgresql:// URL")->capture_default_str();
  project->add_option("--epochs", options->epochs, "Total epochs the run will have (default: a finished run's own)")->check(whole_number(1, kMaxEpochs));
  project->add_option("--detector", options->detector, "Stabilization detector: online, fixed (epoch 10) or fluss")->capture_default_str();
  project->add_option("--window", options->window, "Stable epochs the projection averages")->capture_default_str()->check(whole_number(2, kMaxEpochs));
  project->add_option("--at-epoch", options->at_epoch, "Project as it would have been after this epoch (default: as soon as possible)")
      ->check(whole_number(1, kMaxEpochs));
  project->add_option("--window-start", options->window_start, "First epoch of the window (default: the latest epochs seen)")
      ->check(whole_number(1, kMaxEpochs));
  project->add_option("--slice-s", options->slice_s, "Without epoch markers: project by time in slices of this length")->capture_default_str();
  project->add_flag("--evaluate", options->evaluate, "Replay finished runs epoch by epoch and score every detector and projection");
  project->add_option("--synthetic", options->synthetic, "Evaluate on this many synthetic runs with known truth (see docs/PROJECTION.md)")
      ->check(whole_number(0, 100000));
  project->add_option("--seed", options->seed, "Seed of the synthetic runs")->capture_default_str();
  project->add_option("--format", options->format, "text or json")->capture_default_str();
  project->add_option("--out", options->out, "Write to this file instead of stdout (a regular file is replaced whole; -, a pipe or a device is written directly)");
  project->callback([options] { run_project(*options); });

  auto segment = std::make_shared<SegmentOptions>();
  auto* segment_command = app.add_subcommand("segment", "Find regime changes in a run's power trace (FLUSS on the matrix profile)");
  segment_command->add_option("run", segment->input, "Run id (see 'wattcast runs')")->required();
  segment_command->add_option("--store", segment->store, "Run store: an SQLite file or a postgresql:// URL")->capture_default_str();
  segment_command->add_option("--regimes", segment->regimes, "Regimes to find (boundaries = regimes - 1; the trace's length bounds it)")
      ->capture_default_str()
      ->check(whole_number(2, kMaxRegimes));
  segment_command->add_option("--format", segment->format, "text or json")->capture_default_str();
  segment_command->callback([segment] { run_segment(*segment); });
}

}  // namespace wattcast::cli
