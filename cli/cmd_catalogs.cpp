// `wattcast gpus` and `wattcast regions`: browse the embedded reference tables.

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/cli_error.h"
#include "cli/commands.h"
#include "cli/output.h"
#include "report/text_table.h"

namespace wattcast::cli {

namespace {

struct CatalogOptions {
  std::string query;
  std::string format = "table";
};

void add_catalog_options(CLI::App* command, CatalogOptions& options, const char* query_help) {
  command->add_option("query", options.query, query_help);
  command->add_option("--format", options.format, "table, json or csv")->capture_default_str();
}

// Text tables read plainly; CSV keeps full precision.
std::string number_text(double value, bool full_precision, int significant = 4) {
  return full_precision ? fmt::format("{}", value) : format_number(value, significant);
}

std::string optional_text(const std::optional<double>& value, bool full_precision) { return value ? number_text(*value, full_precision) : ""; }

void list_gpus(Workspace& workspace, const CatalogOptions& options) {
  check_format(options.format, {"table", "json", "csv"});
  const auto found = workspace.gpus().search(options.query);
  if (found.empty()) {
    // Let resolve() name the closest matches.
    unwrap(workspace.gpus().resolve(options.query));
  }
  const std::vector<std::string> header = {"name", "architecture", "cuda_cores", "memory_gb", "tdp_w", "fp32_tflops", "release_date"};
  const bool full_precision = options.format == "csv";
  auto cells = [full_precision](const GpuSpec& g) {
    return std::vector<std::string>{g.name,          g.architecture,          number_text(g.cuda_cores, full_precision, 6),
                                    number_text(g.memory_gb, full_precision), number_text(g.tdp_w, full_precision),
                                    optional_text(g.fp32_tflops, full_precision), g.release_date};
  };
  std::string out;
  if (options.format == "json") {
    nlohmann::json list = nlohmann::json::array();
    for (const GpuSpec* g : found) {
      list.push_back({{"name", g->name}, {"architecture", g->architecture}, {"cuda_cores", g->cuda_cores},
                      {"memory_gb", g->memory_gb}, {"tdp_w", g->tdp_w}, {"fp32_tflops", g->fp32_tflops ? nlohmann::json(*g->fp32_tflops) : nlohmann::json()},
                      {"release_date", g->release_date}});
    }
    out = list.dump(2) + "\n";
  } else if (options.format == "csv") {
    out = csv_line(header);
    for (const GpuSpec* g : found) out += csv_line(cells(*g));
  } else {
    TextTable table(header);
    for (const GpuSpec* g : found) table.add_row(cells(*g));
    out = table.render(terminal_width());
  }
  emit(out, "");
}

void list_regions(Workspace& workspace, const CatalogOptions& options) {
  check_format(options.format, {"table", "json", "csv"});
  const auto locations = workspace.carbon().search_locations(options.query);
  const auto clouds = workspace.carbon().search_cloud(options.query);
  if (locations.empty() && clouds.empty()) unwrap(workspace.carbon().resolve_location(options.query));

  // One list for both kinds: the value to pass is --region CODE or --cloud PROVIDER:REGION.
  // A cloud region without a published PUE gets its provider's default, as `estimate --cloud` does.
  struct Entry {
    std::string use, name, kind;
    double g_co2e_per_kwh;
    std::optional<double> pue;
    std::string pue_source;
  };
  std::vector<Entry> entries;
  for (const auto* l : locations) entries.push_back({"--region " + l->code, l->name, l->kind, l->g_co2e_per_kwh, std::nullopt, ""});
  for (const auto* c : clouds) {
    entries.push_back({"--cloud " + c->provider + ":" + c->region, c->name.empty() ? c->country : c->name + ", " + c->country, "cloud",
                       c->g_co2e_per_kwh, c->pue ? c->pue : std::optional<double>(workspace.carbon().default_pue(c->provider)),
                       c->pue ? "region" : "provider default"});
  }
  std::vector<std::string> header = {"use", "name", "kind", "g_co2e_per_kwh", "pue", "pue_source"};
  std::string out;
  if (options.format == "json") {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& e : entries) {
      list.push_back({{"use", e.use}, {"name", e.name}, {"kind", e.kind}, {"g_co2e_per_kwh", e.g_co2e_per_kwh},
                      {"pue", e.pue ? nlohmann::json(*e.pue) : nlohmann::json()}, {"pue_source", e.pue_source}});
    }
    out = list.dump(2) + "\n";
  } else {
    std::vector<std::vector<std::string>> rows;
    for (const auto& e : entries) {
      if (options.format == "csv") {
        rows.push_back({e.use, e.name, e.kind, number_text(e.g_co2e_per_kwh, true), optional_text(e.pue, true), e.pue_source});
      } else {
        const std::string pue = optional_text(e.pue, false);
        rows.push_back({e.use, e.name, e.kind, number_text(e.g_co2e_per_kwh, false), e.pue_source == "provider default" ? pue + " (default)" : pue});
      }
    }
    if (options.format != "csv") header.pop_back();
    if (options.format == "csv") {
      out = csv_line(header);
      for (const auto& row : rows) out += csv_line(row);
    } else {
      TextTable table(header);
      for (auto& row : rows) table.add_row(std::move(row));
      out = table.render(terminal_width());
    }
  }
  emit(out, "");
}

}  // namespace

void add_gpus_command(CLI::App& app, Workspace& workspace) {
  auto options = std::make_shared<CatalogOptions>();
  auto* command = app.add_subcommand("gpus", "List or find GPUs in the embedded catalog (e.g. '3090', 'h100 sxm')");
  add_catalog_options(command, *options, "Words to find in the GPU name; all GPUs when omitted");
  command->callback([&workspace, options] { list_gpus(workspace, *options); });
}

void add_regions_command(CLI::App& app, Workspace& workspace) {
  auto options = std::make_shared<CatalogOptions>();
  auto* command = app.add_subcommand("regions", "List or find grid carbon intensities by country/region and cloud region");
  add_catalog_options(command, *options, "Words to find (e.g. 'spain', 'ESP', 'aws eu-west'); all when omitted");
  command->callback([&workspace, options] { list_regions(workspace, *options); });
}

}  // namespace wattcast::cli
