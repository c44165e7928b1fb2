#pragma once
// Grid carbon intensity by location (data/carbon_intensity.csv), cloud regions
// (data/cloud_regions.csv) and default PUE per provider (data/pue_defaults.csv).

#include <optional>
#include <string>
#include <vector>

#include "core/result.h"

namespace wattcast {

struct GridLocation {
  std::string code;  // ISO 3166 alpha-3 for countries, e.g. "ESP"; "US-CA" for regions; "WORLD"
  std::string name;
  std::string kind;  // country | region | world
  double g_co2e_per_kwh = 0;
  std::string source;
};

struct CloudRegion {
  std::string provider;  // aws, gcp, azure, ...
  std::string region;    // eu-west-1
  std::string name;
  std::string country;
  double g_co2e_per_kwh = 0;
  std::optional<double> pue;
};

// Where the energy is drawn: the carbon intensity to apply and the facility overhead.
struct CarbonContext {
  std::string label = "world average";
  double g_co2e_per_kwh = 475.0;
  double pue = 1.0;
  std::string pue_source = "default 1.0: energy at the device, no facility overhead";
};

class CarbonCatalog {
 public:
  static Result<CarbonCatalog> load(const std::string& data_dir);

  const std::vector<GridLocation>& locations() const { return locations_; }
  const std::vector<CloudRegion>& cloud_regions() const { return cloud_regions_; }

  std::vector<const GridLocation*> search_locations(const std::string& query) const;
  std::vector<const CloudRegion*> search_cloud(const std::string& query) const;

  // "ESP", "spain", "US-CA": exact code first, then name.
  Result<GridLocation> resolve_location(const std::string& query) const;
  // "aws:eu-west-1".
  Result<CloudRegion> resolve_cloud(const std::string& provider_and_region) const;
  // The provider's default PUE, else the "Unknown" default.
  double default_pue(const std::string& provider) const;
  const GridLocation& world() const;

 private:
  std::vector<GridLocation> locations_;
  std::vector<CloudRegion> cloud_regions_;
  std::vector<std::pair<std::string, double>> pue_defaults_;
};

}  // namespace wattcast
