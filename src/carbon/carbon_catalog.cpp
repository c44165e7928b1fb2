#include "carbon/carbon_catalog.h"

#include <algorithm>
#include <cctype>

#include "core/csv.h"
#include "core/fuzzy.h"

namespace wattcast {

namespace {

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

std::string location_key(const GridLocation& location) { return location.code + " " + location.name; }
std::string cloud_key(const CloudRegion& region) {
  return region.provider + " " + region.region + " " + region.name + " " + region.country;
}

template <typename T>
std::string suggestion_list(const std::vector<T>& items, const std::vector<FuzzyMatch>& ranked,
                            std::string (*describe)(const T&)) {
  std::string out;
  for (size_t i = 0; i < ranked.size() && i < 3; ++i) out += (i ? ", " : "") + describe(items[ranked[i].index]);
  return out;
}

std::string describe_location(const GridLocation& l) { return "'" + l.code + "' (" + l.name + ")"; }
std::string describe_cloud(const CloudRegion& r) { return "'" + r.provider + ":" + r.region + "'"; }

}  // namespace

Result<CarbonCatalog> CarbonCatalog::load(const std::string& data_dir) {
  CarbonCatalog catalog;

  auto grid = CsvTable::read_file(data_dir + "/carbon_intensity.csv");
  if (!grid) return grid.error();
  if (auto s = grid->require_columns({"code", "name", "kind", "g_co2e_per_kwh"}); !s) return s.error();
  for (const auto& row : grid->rows()) {
    auto intensity = row.number("g_co2e_per_kwh");
    if (!intensity) return intensity.error();
    // Green Algorithms names its world average "Any, Any"; a person reads "world average".
    const std::string name = row.text("code") == "WORLD" ? "world average" : row.text("name");
    catalog.locations_.push_back({row.text("code"), name, row.text("kind"), *intensity, row.text("source")});
  }

  auto cloud = CsvTable::read_file(data_dir + "/cloud_regions.csv");
  if (!cloud) return cloud.error();
  if (auto s = cloud->require_columns({"provider", "region", "g_co2e_per_kwh"}); !s) return s.error();
  for (const auto& row : cloud->rows()) {
    auto intensity = row.number("g_co2e_per_kwh");
    if (!intensity) return intensity.error();
    CloudRegion region{lower(row.text("provider")), row.text("region"), row.text("name"), row.text("country"), *intensity, {}};
    if (row.has("pue")) {
      auto pue = row.positive("pue");
      if (!pue) return pue.error();
      region.pue = *pue;
    }
    catalog.cloud_regions_.push_back(std::move(region));
  }

  auto pue = CsvTable::read_file(data_dir + "/pue_defaults.csv");
  if (!pue) return pue.error();
  for (const auto& row : pue->rows()) {
    auto value = row.positive("pue");
    if (!value) return value.error();
    catalog.pue_defaults_.emplace_back(lower(row.text("provider")), *value);
  }
  return catalog;
}

std::vector<const GridLocation*> CarbonCatalog::search_locations(const std::string& query) const {
  return search_all_tokens(query, locations_, location_key);
}

std::vector<const CloudRegion*> CarbonCatalog::search_cloud(const std::string& query) const {
  return search_all_tokens(query, cloud_regions_, cloud_key);
}

Result<GridLocation> CarbonCatalog::resolve_location(const std::string& query) const {
  const std::string wanted = lower(query);
  for (const auto& l : locations_) {
    if (lower(l.code) == wanted) return l;
  }
  std::vector<std::string> names;
  for (const auto& l : locations_) names.push_back(l.name);
  auto ranked = rank_matches(query, names);
  if (!ranked.empty() && ranked.front().score >= 3.0) return locations_[ranked.front().index];
  std::vector<std::string> keys;
  for (const auto& l : locations_) keys.push_back(location_key(l));
  ranked = rank_matches(query, keys);
  return Error{"unknown region '" + query + "'; closest matches: " + suggestion_list(locations_, ranked, describe_location) +
               " (see 'wattcast regions')"};
}

Result<CloudRegion> CarbonCatalog::resolve_cloud(const std::string& provider_and_region) const {
  const auto colon = provider_and_region.find(':');
  std::vector<std::string> keys;
  for (const auto& r : cloud_regions_) keys.push_back(cloud_key(r));
  if (colon != std::string::npos) {
    const std::string provider = lower(provider_and_region.substr(0, colon));
    const std::string region = lower(provider_and_region.substr(colon + 1));
    for (const auto& r : cloud_regions_) {
      if (r.provider == provider && lower(r.region) == region) return r;
    }
  }
  auto ranked = rank_matches(provider_and_region, keys);
  return Error{"unknown cloud region '" + provider_and_region + "' (expected PROVIDER:REGION); closest matches: " +
               suggestion_list(cloud_regions_, ranked, describe_cloud) + " (see 'wattcast regions')"};
}

double CarbonCatalog::default_pue(const std::string& provider) const {
  const std::string wanted = lower(provider);
  double unknown = 1.56;
  for (const auto& [name, pue] : pue_defaults_) {
    if (name == wanted) return pue;
    if (name == "unknown") unknown = pue;
  }
  return unknown;
}

const GridLocation& CarbonCatalog::world() const {
  for (const auto& l : locations_) {
    if (l.code == "WORLD") return l;
  }
  static const GridLocation kFallback{"WORLD", "World average", "world", 475.0, "Green Algorithms"};
  return kFallback;
}

}  // namespace wattcast
