#include "hardware/cpu_catalog.h"

#include <algorithm>
#include <cctype>
#include <regex>

#include "core/csv.h"
#include "core/fuzzy.h"

namespace wattcast {

Result<CpuCatalog> CpuCatalog::load(const std::string& csv_path) {
  auto table = CsvTable::read_file(csv_path);
  if (!table) return table.error();
  if (auto status = table->require_columns({"name", "tdp_w"}); !status) return status.error();

  CpuCatalog catalog;
  for (const auto& row : table->rows()) {
    // The source table has a few rows with no usable TDP: skip them rather than reject the table.
    auto tdp = row.number("tdp_w");
    if (!tdp || *tdp <= 0) continue;
    catalog.cpus_.push_back({row.text("name"), *tdp});
    catalog.names_.push_back(row.text("name"));
  }
  if (catalog.cpus_.empty()) return Error::in_file(csv_path, "no CPU with a positive tdp_w");

  std::vector<double> tdps;
  for (const auto& cpu : catalog.cpus_) tdps.push_back(cpu.tdp_w);
  std::sort(tdps.begin(), tdps.end());
  const size_t middle = tdps.size() / 2;
  catalog.median_tdp_w_ = tdps.size() % 2 ? tdps[middle] : (tdps[middle - 1] + tdps[middle]) / 2;
  return catalog;
}

std::string catalog_style_cpu_name(std::string_view cpuinfo_model_name) {
  std::string name(cpuinfo_model_name);
  const std::pair<const char*, const char*> rewrites[] = {
      {R"(\((R|TM|r|tm)\)|®|™)", ""},                // Intel(R) Core(TM)
      {R"(\s@.*$)", ""},                              // CPU @ 2.50GHz
      {R"(\s0\s*$)", ""},                             // E5-2670 0: the first E5 generation, before v2
      {R"(\s+with\s.*$)", ""},                        // with Radeon Graphics
      {R"(\b\d+(st|nd|rd|th)\s+Gen\b)", ""},          // 12th Gen Intel
      {R"(\b\d+-Core\b)", ""},                        // 64-Core Processor
      {R"(\b(CPU|Processor)\b)", ""},
      {R"(\s+)", " "},
  };
  for (const auto& [pattern, replacement] : rewrites) {
    name = std::regex_replace(name, std::regex(pattern, std::regex::icase), replacement);
  }
  const size_t first = name.find_first_not_of(' ');
  if (first == std::string::npos) return "";
  return name.substr(first, name.find_last_not_of(' ') - first + 1);
}

std::optional<CpuSpec> CpuCatalog::match(std::string_view cpuinfo_model_name) const {
  const std::string query = catalog_style_cpu_name(cpuinfo_model_name);
  const auto tokens = name_tokens(query);
  const bool has_model_number = std::any_of(tokens.begin(), tokens.end(), [](const std::string& token) {
    return std::isdigit(static_cast<unsigned char>(token.front())) != 0;
  });
  if (!has_model_number) return std::nullopt;
  const auto ranked = rank_matches(query, names_);
  if (ranked.empty() || !ranked.front().all_tokens) return std::nullopt;
  return cpus_[ranked.front().index];
}

}  // namespace wattcast
