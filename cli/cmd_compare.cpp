// `wattcast compare [STORE] --by FACTOR --metric METRIC`: the runs of a store grouped by one
// factor, with the study's non-parametric statistics; `--correlate X Y` and `--tradeoff E:Q`.

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/cli_error.h"
#include "cli/commands.h"
#include "cli/output.h"
#include "cli/run_output.h"
#include "experiment/comparison.h"
#include "report/table_formats.h"
#include "store/postgres_store.h"

namespace wattcast::cli {

namespace {

struct CompareOptions {
  std::string store = default_store_path();
  std::string by, metric;
  std::string experiment;
  std::vector<std::string> correlate;
  std::string tradeoff;
  bool lower_is_better = false;
  std::string format = "text";
  std::string table;
  std::string out;
};

// Text, Markdown and LaTeX read plainly; CSV keeps full precision.
std::string number(double v, bool full_precision) { return full_precision ? fmt::format("{}", v) : format_number(v); }

// The tables a comparison gives, by the name --table picks them with.
struct NamedTable {
  std::string name;
  Table table;
};

std::vector<RunMetrics> load_runs(const CompareOptions& options) {
  auto store = open_existing_store(options.store);
  std::vector<RunMetrics> runs;
  for (const auto& run : unwrap(store->runs())) {
    if (!options.experiment.empty()) {
      auto tag = run.tags.find("experiment");
      if (tag == run.tags.end() || tag->second != options.experiment) continue;
    }
    runs.push_back(unwrap(compute_run_metrics(*store, run.id)));
  }
  if (runs.empty()) {
    throw CliError(mask_password(options.store) + ": no runs" + (options.experiment.empty() ? "" : " of experiment '" + options.experiment + "'"));
  }
  return runs;
}

std::vector<NamedTable> comparison_tables(const Comparison& c, bool full) {
  std::vector<NamedTable> tables;
  Table groups{fmt::format("{} by {}", c.metric, c.factor), {c.factor, "n", "median", "q1", "q3", "iqr", "shapiro_w", "shapiro_p"}, {}};
  for (const auto& g : c.groups) {
    groups.rows.push_back({g.level, std::to_string(g.describe.n), number(g.describe.median, full), number(g.describe.q1, full), number(g.describe.q3, full),
                           number(g.describe.iqr, full), g.shapiro_wilk ? number(g.shapiro_wilk->w, full) : "-",
                           g.shapiro_wilk ? number(g.shapiro_wilk->p, full) : "-"});
  }
  tables.push_back({"groups", groups});
  Table tests{"tests across groups", {"test", "statistic", "df", "p", "effect_size"}, {}};
  if (c.levene) tests.rows.push_back({"Levene (median)", number(c.levene->w, full), number(c.levene->df_between, full) + ", " + number(c.levene->df_within, full), number(c.levene->p, full), "-"});
  if (c.kruskal_wallis) {
    tests.rows.push_back({"Kruskal-Wallis H", number(c.kruskal_wallis->h, full), number(c.kruskal_wallis->df, full), number(c.kruskal_wallis->p, full),
                          "eta2 " + number(c.kruskal_wallis->eta_squared, full)});
  }
  if (c.mann_whitney) {
    tests.rows.push_back({fmt::format("Mann-Whitney U ({})", c.mann_whitney->exact ? "exact" : "normal approximation"), number(c.mann_whitney->u, full), "-",
                          number(c.mann_whitney->p, full), "Cliff's delta " + number(c.mann_whitney->cliffs_delta, full)});
  }
  if (!tests.rows.empty()) tables.push_back({"tests", tests});
  if (c.dunn) {
    Table dunn{"Dunn's post-hoc test", {"pair", "mean_rank_difference", "z", "p", "p_holm", "p_bonferroni"}, {}};
    for (const auto& p : c.dunn->pairs) {
      dunn.rows.push_back({c.groups[p.first].level + " vs " + c.groups[p.second].level, number(p.mean_rank_difference, full), number(p.z, full), number(p.p, full),
                           number(p.p_holm, full), number(p.p_bonferroni, full)});
    }
    tables.push_back({"dunn", dunn});
  }
  return tables;
}

nlohmann::json comparison_json(const Comparison& c) {
  nlohmann::json j = {{"factor", c.factor}, {"metric", c.metric}, {"skipped", c.skipped}, {"runs_without_metric", c.runs_without_metric}};
  j["groups"] = nlohmann::json::array();
  for (const auto& g : c.groups) {
    nlohmann::json gj = {{"level", g.level}, {"n", g.describe.n}, {"median", g.describe.median}, {"q1", g.describe.q1},
                         {"q3", g.describe.q3},   {"iqr", g.describe.iqr}, {"values", g.values}};
    if (g.shapiro_wilk) gj["shapiro_wilk"] = {{"w", g.shapiro_wilk->w}, {"p", g.shapiro_wilk->p}};
    j["groups"].push_back(gj);
  }
  if (c.levene) j["levene"] = {{"w", c.levene->w}, {"p", c.levene->p}, {"df_between", c.levene->df_between}, {"df_within", c.levene->df_within}};
  if (c.kruskal_wallis) {
    j["kruskal_wallis"] = {{"h", c.kruskal_wallis->h}, {"p", c.kruskal_wallis->p}, {"df", c.kruskal_wallis->df}, {"eta_squared", c.kruskal_wallis->eta_squared}};
  }
  if (c.mann_whitney) {
    j["mann_whitney"] = {{"u", c.mann_whitney->u}, {"p", c.mann_whitney->p}, {"exact", c.mann_whitney->exact}, {"cliffs_delta", c.mann_whitney->cliffs_delta}};
  }
  if (c.dunn) {
    j["dunn"] = nlohmann::json::array();
    for (const auto& p : c.dunn->pairs) {
      j["dunn"].push_back({{"first", c.groups[p.first].level}, {"second", c.groups[p.second].level}, {"z", p.z}, {"p", p.p},
                           {"p_holm", p.p_holm}, {"p_bonferroni", p.p_bonferroni}});
    }
  }
  return j;
}

Table correlation_table(const Correlation& c, bool full) {
  Table t{"Spearman correlation", {"x", "y", "n", "rho", "p"}, {}};
  if (c.spearman) t.rows.push_back({c.x, c.y, std::to_string(c.spearman->n), number(c.spearman->rho, full), number(c.spearman->p, full)});
  return t;
}

Table tradeoff_table(const Tradeoff& t, bool full) {
  Table table{fmt::format("{} against {} (medians per configuration; * = Pareto-optimal)", t.energy_metric, t.quality_metric),
              {"configuration", "runs", t.energy_metric, t.quality_metric, "pareto", "energy_saving_pct_vs_best", "metric_change_vs_best"},
              {}};
  for (const auto& r : t.rows) {
    table.rows.push_back({r.configuration, std::to_string(r.runs), number(r.energy, full), number(r.metric, full), r.pareto ? "*" : "",
                          fmt::format("{:.1f}", r.energy_saving_pct), (r.metric_change > 0 ? "+" : "") + number(r.metric_change, full)});
  }
  return table;
}

void run_compare(const CompareOptions& options) {
  check_format(options.format, {"text", "json", "csv", "markdown", "latex"});
  const bool comparing = !options.by.empty() || !options.metric.empty();
  if (comparing && (options.by.empty() || options.metric.empty())) throw CliError("compare: give both --by FACTOR and --metric METRIC");
  if (!comparing && options.correlate.empty() && options.tradeoff.empty()) {
    throw CliError("compare: give --by FACTOR --metric METRIC, --correlate X Y or --tradeoff ENERGY:QUALITY");
  }
  if (!options.correlate.empty() && options.correlate.size() != 2) throw CliError("--correlate: give two metrics, X and Y");
  std::string energy_metric, quality_metric;
  if (!options.tradeoff.empty()) {
    const auto colon = options.tradeoff.find(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == options.tradeoff.size()) {
      throw CliError("--tradeoff: expected ENERGY:QUALITY, e.g. energy_per_sample_j:val_f1, got '" + options.tradeoff + "'");
    }
    energy_metric = options.tradeoff.substr(0, colon);
    quality_metric = options.tradeoff.substr(colon + 1);
  }
  const std::vector<RunMetrics> runs = load_runs(options);

  const bool full = options.format == "csv";
  std::vector<NamedTable> tables;
  std::vector<std::string> notes;
  nlohmann::json j;
  if (comparing) {
    const Comparison c = unwrap(compare_runs(runs, options.by, options.metric));
    for (auto& t : comparison_tables(c, full)) tables.push_back(std::move(t));
    for (const auto& s : c.skipped) notes.push_back("skipped: " + s);
    if (c.runs_without_metric > 0) notes.push_back(fmt::format("{} runs tagged '{}' did not report '{}'", c.runs_without_metric, c.factor, c.metric));
    j["comparison"] = comparison_json(c);
  }
  if (!options.correlate.empty()) {
    const Correlation c = correlate_runs(runs, options.correlate[0], options.correlate[1]);
    tables.push_back({"correlation", correlation_table(c, full)});
    if (!c.skipped.empty()) notes.push_back("skipped: " + c.skipped);
    j["correlation"] = {{"x", c.x}, {"y", c.y}, {"skipped", c.skipped}};
    if (c.spearman) j["correlation"].update({{"n", c.spearman->n}, {"rho", c.spearman->rho}, {"p", c.spearman->p}});
  }
  if (!options.tradeoff.empty()) {
    const Tradeoff t = unwrap(tradeoff(runs, energy_metric, quality_metric, !options.lower_is_better));
    tables.push_back({"tradeoff", tradeoff_table(t, full)});
    j["tradeoff"] = nlohmann::json::array();
    for (const auto& r : t.rows) {
      j["tradeoff"].push_back({{"configuration", r.configuration}, {"runs", r.runs}, {"energy", r.energy}, {"metric", r.metric}, {"pareto", r.pareto},
                               {"energy_saving_pct", r.energy_saving_pct}, {"metric_change", r.metric_change}});
    }
  }
  if (options.format == "json") {
    j["notes"] = notes;
    emit(j.dump(2) + "\n", options.out);
    return;
  }
  std::vector<Table> chosen;
  std::string names;
  for (auto& t : tables) {
    names += (names.empty() ? "" : ", ") + t.name;
    if (options.table.empty() || t.name == options.table) chosen.push_back(std::move(t.table));
  }
  if (!options.table.empty() && chosen.empty()) throw CliError("--table: no table '" + options.table + "' here (tables: " + names + ")");
  // A CSV file is one table, so that it loads as CSV: the first unless --table picks another. Its
  // notes go to stderr.
  if (options.format == "csv" && chosen.size() > 1) {
    std::fprintf(stderr, "note: --format csv writes one table, '%s'; pick another with --table (%s)\n", tables.front().name.c_str(), names.c_str());
    chosen.resize(1);
  }
  std::string out = unwrap(render_tables(chosen, options.format, table_width(options.out)));
  for (const auto& note : notes) {
    if (options.format == "csv") {
      std::fprintf(stderr, "note: %s\n", note.c_str());
    } else {
      out += (options.format == "latex" ? "% " : "") + note + "\n";
    }
  }
  emit(out, options.out);
}

}  // namespace

void add_compare_command(CLI::App& app) {
  auto options = std::make_shared<CompareOptions>();
  auto* command = app.add_subcommand("compare", "Compare configurations: groups, non-parametric tests, correlations and trade-offs");
  command->add_option("store", options->store, "Run store: an SQLite file or a postgresql:// URL")->capture_default_str();
  command->add_option("--by", options->by, "The factor (a run tag) that makes the groups");
  command->add_option("--metric", options->metric, std::string("The metric compared: ") + run_metric_names() + ", or one the runs reported");
  command->add_option("--experiment", options->experiment, "Only the runs of this experiment");
  command->add_option("--correlate", options->correlate, "Spearman's rho between two metrics over the runs")->expected(2);
  command->add_option("--tradeoff", options->tradeoff, "ENERGY:QUALITY, e.g. energy_per_sample_j:val_f1: Pareto-optimal configurations");
  command->add_flag("--lower-is-better", options->lower_is_better, "For --tradeoff: the quality metric is better when lower (a loss)");
  command->add_option("--format", options->format, "text, json, csv, markdown or latex")->capture_default_str();
  command->add_option("--table", options->table, "Only this table: groups, tests, dunn, correlation or tradeoff (csv writes one table)");
  command->add_option("--out", options->out, "Write to this file instead of stdout (a regular file is replaced whole; -, a pipe or a device is written directly)");
  command->callback([options] { run_compare(*options); });
}

}  // namespace wattcast::cli
