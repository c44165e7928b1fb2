// `wattcast fit` and `wattcast evaluate`: train a model on your own measured runs, and measure
// how well every method predicts runs it has not seen.

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "analysis/cross_validation.h"
#include "estimate/store_correction.h"
#include "store/open_store.h"
#include "cli/cli_error.h"
#include "cli/commands.h"
#include "cli/flag_checks.h"
#include "cli/output.h"
#include "cli/progress_line.h"
#include "report/text_table.h"

namespace wattcast::cli {

namespace {

struct FitCommandOptions {
  std::string data;
  std::string out;
  std::string method = kDefaultMethod;
  bool search = false;
  int search_iterations = 60;
  unsigned seed = 0;
  std::string store;
};

void run_fit(Workspace& workspace, const FitCommandOptions& options) {
  if (!is_fitted_method(options.method)) throw CliError("--method: '" + options.method + "' is not fitted to data (expected wattcast, roofline or pre-paper)");
  if (options.search_iterations < 1) throw CliError("--search-iterations: must be at least 1");
  auto runs = workspace.runs_named(options.data.empty() ? workspace.default_data(options.method) : options.data);
  if (!options.store.empty()) {
    // Stored runs carry no job RAM and often no input size, which the study-shaped models need.
    if (options.method != "roofline") throw CliError("--store: only --method roofline learns from stored runs");
    auto store = unwrap(open_store_for_reading(options.store));
    const StoreRuns own = unwrap(runs_from_store(*store, workspace.gpus()));
    std::fprintf(stderr, "store: %zu runs added, %zu skipped (without the tags gflops, batch_size, train_samples and val_samples, epochs or a GPU)\n",
                 own.runs.size(), own.skipped);
    runs.insert(runs.end(), own.runs.begin(), own.runs.end());
  }
  FitOptions fit;
  fit.search_hyperparameters = options.search;
  fit.search_iterations = options.search_iterations;
  fit.seed = options.seed;
  ProgressLine progress("fit --search", "candidates");
  if (options.search) fit.progress = [&progress](int done, int total) { progress.update(done, total); };
  auto model = unwrap(fit_model(options.method, runs, fit));
  check(save_model_file(*model, options.out));
  std::fprintf(stderr, "fitted %s on %zu runs -> %s\n", options.method.c_str(), runs.size(), options.out.c_str());
}

struct EvaluateOptions {
  std::string data;
  std::string cv = "config";
  int folds = 5;
  unsigned seed = 0;
  std::vector<std::string> methods = {"wattcast", "roofline", "pre-paper", "flops", "green-algorithms", "mlco2"};
  std::string format = "table";
  std::string out;
};

nlohmann::json metrics_json(const ErrorMetrics& m) {
  return {{"n", m.count},
          {"rmse", m.rmse},
          {"mae", m.mae},
          {"mape_pct", m.mape_pct},
          {"r2", m.r2},
          {"coverage_90_pct", m.coverage_90_pct ? nlohmann::json(*m.coverage_90_pct) : nlohmann::json()},
          {"mean_width_90_pct", m.mean_width_90_pct ? nlohmann::json(*m.mean_width_90_pct) : nlohmann::json()}};
}

// Text and Markdown read plainly; CSV keeps full precision.
std::vector<std::string> metric_cells(const std::string& method, const std::string& target, const ErrorMetrics& m, bool full_precision) {
  auto optional = [](const std::optional<double>& v) { return v ? fmt::format("{:.1f}", *v) : std::string("-"); };
  if (full_precision) {
    auto full = [](const std::optional<double>& v) { return v ? fmt::format("{}", *v) : std::string(); };
    return {method, target, full(m.rmse), full(m.mae), full(m.mape_pct), full(m.r2), full(m.coverage_90_pct), full(m.mean_width_90_pct)};
  }
  return {method, target, format_number(m.rmse), format_number(m.mae), fmt::format("{:.2f}", m.mape_pct),
          fmt::format("{:.3f}", m.r2), optional(m.coverage_90_pct), optional(m.mean_width_90_pct)};
}

void run_evaluate(Workspace& workspace, const EvaluateOptions& options) {
  check_format(options.format, {"table", "json", "csv", "markdown"});
  CvSettings settings;
  if (options.cv == "rows") {
    settings.mode = CvMode::kRows;
  } else if (options.cv == "gpu") {
    settings.mode = CvMode::kGpu;
  } else if (options.cv == "source") {
    settings.mode = CvMode::kSource;
  } else if (options.cv != "config") {
    throw CliError("--cv: expected 'rows', 'config', 'gpu' or 'source', got '" + options.cv + "'");
  }
  if (options.folds < 2) throw CliError("--folds: must be at least 2");
  settings.folds = options.folds;
  settings.seed = options.seed;
  const auto runs = workspace.runs_named(options.data);
  if (settings.mode == CvMode::kRows && static_cast<size_t>(options.folds) > runs.size()) {
    throw CliError(fmt::format("--folds {}: there are {} runs, and each fold needs at least one", options.folds, runs.size()));
  }
  std::optional<std::vector<MethodScores>> scored;
  {
    ProgressLine progress("evaluate --cv " + options.cv, "fits");
    settings.progress = [&progress](int done, int total) { progress.update(done, total); };
    scored = unwrap(cross_validate(runs, options.methods, settings));
  }
  const std::vector<MethodScores>& scores = *scored;

  const std::vector<std::string> header = {"method", "target", "rmse", "mae", "mape_pct", "r2", "coverage_90_pct", "width_90_pct"};
  std::vector<std::vector<std::string>> rows;
  nlohmann::json json = nlohmann::json::array();
  for (const auto& s : scores) {
    const bool full = options.format == "csv";
    rows.push_back(metric_cells(s.method, "avg_power_w", s.power_w, full));
    rows.push_back(metric_cells(s.method, "epoch_energy_kj", s.epoch_energy_kj, full));
    if (s.epoch_time_s) rows.push_back(metric_cells(s.method, "epoch_time_s", *s.epoch_time_s, full));
    json.push_back({{"method", s.method},
                    {"avg_power_w", metrics_json(s.power_w)},
                    {"epoch_energy_kj", metrics_json(s.epoch_energy_kj)},
                    {"epoch_time_s", s.epoch_time_s ? metrics_json(*s.epoch_time_s) : nlohmann::json()}});
  }
  const std::string split = settings.mode == CvMode::kRows     ? fmt::format("{}-fold by row (seed {})", settings.folds, settings.seed)
                            : settings.mode == CvMode::kGpu    ? "leave one GPU out"
                            : settings.mode == CvMode::kSource ? "leave one data set out"
                                                               : "leave one configuration out";
  std::string out;
  if (options.format == "json") {
    out = nlohmann::json{{"cv", options.cv}, {"split", split}, {"runs", runs.size()}, {"methods", json}}.dump(2) + "\n";
  } else if (options.format == "csv") {
    out = csv_line(header);
    for (const auto& row : rows) out += csv_line(row);
  } else if (options.format == "markdown") {
    out = "| " + fmt::format("{}", fmt::join(header, " | ")) + " |\n|" + std::string() ;
    for (size_t i = 0; i < header.size(); ++i) out += i == 0 ? "---|" : "---:|";
    out += "\n";
    for (const auto& row : rows) out += "| " + fmt::format("{}", fmt::join(row, " | ")) + " |\n";
  } else {
    out = fmt::format("Cross-validation: {}, {} runs. mlco2 and green-algorithms are given the measured duration.\n", split, runs.size());
    TextTable table(header);
    for (auto& row : rows) table.add_row(std::move(row));
    out += table.render(table_width(options.out));
  }
  emit(out, options.out);
}

}  // namespace

void add_fit_command(CLI::App& app, Workspace& workspace) {
  auto options = std::make_shared<FitCommandOptions>();
  auto* command = app.add_subcommand("fit", "Fit an offline model on measured runs (CSV with the columns of pre_runs.csv)");
  command->add_option("--data", options->data, "Runs CSVs, comma-separated, or 'study' or 'all' (default: all for roofline, study otherwise)");
  command->add_option("--out", options->out, "Model file to write (JSON)")->required();
  command->add_option("--method", options->method, "wattcast, roofline or pre-paper")->capture_default_str();
  command->add_flag("--search", options->search, "pre-paper: choose alpha and gamma by randomized-search 5-fold CV, as the study did");
  command->add_option("--search-iterations", options->search_iterations, "Candidates drawn by --search")->capture_default_str()->check(whole_number(1, 100000));
  command->add_option("--seed", options->seed, "Random seed for --search")->capture_default_str();
  command->add_option("--store", options->store, "Also fit on the finished runs of this run store that carry the tags gflops, batch_size, train_samples and val_samples (roofline)");
  command->callback([&workspace, options] { run_fit(workspace, *options); });
}

void add_evaluate_command(CLI::App& app, Workspace& workspace) {
  auto options = std::make_shared<EvaluateOptions>();
  auto* command = app.add_subcommand("evaluate", "Cross-validate every method on measured runs: RMSE, MAE, MAPE, R2, interval coverage");
  command->add_option("--data", options->data, "Runs CSVs, comma-separated, or 'study' (the default) or 'all' (the study's, Zeus's and the H200's)");
  command->add_option("--cv", options->cv, "rows (the study's k-fold split), config (leave one configuration out), gpu (leave one GPU out) or source (leave one data set out)")->capture_default_str();
  command->add_option("--folds", options->folds, "Folds for --cv rows (at most one per run)")->capture_default_str()->check(whole_number(2, 100000));
  command->add_option("--seed", options->seed, "Shuffle seed for --cv rows")->capture_default_str();
  command->add_option("--method", options->methods, "Methods to evaluate")->delimiter(',');
  command->add_option("--format", options->format, "table, json, csv or markdown")->capture_default_str();
  command->add_option("--out", options->out, "Write to this file instead of stdout (a regular file is replaced whole; -, a pipe or a device is written directly)");
  command->callback([&workspace, options] { run_evaluate(workspace, *options); });
}

}  // namespace wattcast::cli
