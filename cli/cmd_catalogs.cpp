// `wattcast gpus` and `wattcast regions`: browse the embedded reference tables.

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

std::string optional_text(const std::optional<double>& value) { return value ? format_number(*value) : ""; }

void list_gpus(Workspace& workspace, const CatalogOptions& options) {
  check_format(options.format, {"table", "json", "csv"});
  const auto found = workspace.gpus().search(options.query);
  if (found.empty()) {
    // Let resolve() name the closest matches.
    unwrap(workspace.gpus().resolve(options.query));
  }
  const std::vector<std::string> header = {"name", "architecture", "cuda_cores", "memory_gb", "tdp_w", "fp32_tflops", "release_date"};
  auto cells = [](const GpuSpec& g) {
    return std::vector<std::string>{g.name,          g.architecture,          format_number(g.cuda_cores, 6),
                                    format_number(g.memory_gb), format_number(g.tdp_w), optional_text(g.fp32_tflops),
                                    g.release_date};
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
    out = table.render();
  }
  emit(out, "");
}

void list_regions(Workspace& workspace, const CatalogOptions& options) {
  check_format(options.format, {"table", "json", "csv"});
  const auto locations = workspace.carbon().search_locations(options.query);
  const auto clouds = workspace.carbon().search_cloud(options.query);
  if (locations.empty() && clouds.empty()) unwrap(workspace.carbon().resolve_location(options.query));

  // One list for both kinds: the value to pass is --region CODE or --cloud PROVIDER:REGION.
  struct Entry {
    std::string use, name, kind;
    double g_co2e_per_kwh;
    std::optional<double> pue;
  };
  std::vector<Entry> entries;
  for (const auto* l : locations) entries.push_back({"--region " + l->code, l->name, l->kind, l->g_co2e_per_kwh, std::nullopt});
  for (const auto* c : clouds) {
    entries.push_back({"--cloud " + c->provider + ":" + c->region, c->name.empty() ? c->country : c->name + ", " + c->country, "cloud",
                       c->g_co2e_per_kwh, c->pue});
  }
  const std::vector<std::string> header = {"use", "name", "kind", "g_co2e_per_kwh", "pue"};
  std::string out;
  if (options.format == "json") {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& e : entries) {
      list.push_back({{"use", e.use}, {"name", e.name}, {"kind", e.kind}, {"g_co2e_per_kwh", e.g_co2e_per_kwh},
                      {"pue", e.pue ? nlohmann::json(*e.pue) : nlohmann::json()}});
    }
    out = list.dump(2) + "\n";
  } else {
    std::vector<std::vector<std::string>> rows;
    for (const auto& e : entries) rows.push_back({e.use, e.name, e.kind, format_number(e.g_co2e_per_kwh), optional_text(e.pue)});
    if (options.format == "csv") {
      out = csv_line(header);
      for (const auto& row : rows) out += csv_line(row);
    } else {
      TextTable table(header);
      for (auto& row : rows) table.add_row(std::move(row));
      out = table.render();
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
