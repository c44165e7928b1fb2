// `wattcast report`: a store's runs, or one run, as one self-contained HTML page of charts.

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <filesystem>

#include "cli/cli_error.h"
#include "cli/commands.h"
#include "cli/run_output.h"
#include "core/output_file.h"
#include "report/report_assets.h"
#include "report/report_page.h"

namespace wattcast::cli {

namespace {

struct ReportCommandOptions {
  std::string run;
  std::string store = default_store_path();
  std::string by;
  std::string metric = "energy_kj";
  std::string metric_mode = "max";
  std::string out;
};

// Before any work: a report of a long run takes seconds, and should not end in "cannot write".
void check_writable(const std::string& out) {
  const std::filesystem::path path(out);
  const std::filesystem::path dir = path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) throw CliError(out + ": --out is a directory; give a file name such as report.html");
  if (!std::filesystem::is_directory(dir, ec)) throw CliError(out + ": --out: no such directory " + dir.string());
  if (::access(dir.c_str(), W_OK) != 0) throw CliError(out + ": --out: cannot write in " + dir.string());
}

void run_report(const ReportCommandOptions& options) {
  if (options.out.empty()) throw CliError("--out: required (the HTML file to write)");
  if (options.metric_mode != "max" && options.metric_mode != "min") throw CliError("--metric-mode: expected 'max' or 'min'");
  ReportOptions report;
  if (!options.run.empty()) {
    if (!std::all_of(options.run.begin(), options.run.end(), [](unsigned char c) { return std::isdigit(c); })) {
      throw CliError("RUN: expected a run id (see 'wattcast runs'), got '" + options.run + "'");
    }
    report.run_id = std::stoll(options.run);
  }
  report.comparison.by_tag = options.by;
  report.comparison.metric = options.metric;
  report.comparison.higher_is_better = options.metric_mode == "max";
  check_writable(options.out);
  const std::string scripts = unwrap(load_report_assets());
  auto store = open_existing_store(options.store);
  const ReportContent content = unwrap(collect_report(*store, options.store, report));
  check(write_output_file(options.out, render_page(report_page(content), scripts)));
}

}  // namespace

void add_report_command(CLI::App& app) {
  auto options = std::make_shared<ReportCommandOptions>();
  auto* command = app.add_subcommand("report", "Write a self-contained HTML report (charts) of a store's runs or of one run");
  command->add_option("run", options->run, "Run id (default: every run in the store)");
  command->add_option("--store", options->store, "Run store: an SQLite file or a postgresql:// URL")->capture_default_str();
  command->add_option("--by", options->by, "Group the runs by this tag (measured with --tag TAG=VALUE) for box plots");
  command->add_option("--metric", options->metric, "Compared per run: energy_kj, duration_s, or a metric the runs report per epoch")
      ->capture_default_str();
  command->add_option("--metric-mode", options->metric_mode, "max (higher is better) or min, for the Pareto front")->capture_default_str();
  command->add_option("--out", options->out, "The HTML file to write (a regular file is replaced whole; - is stdout)")->required();
  command->callback([options] { run_report(*options); });
}

}  // namespace wattcast::cli
