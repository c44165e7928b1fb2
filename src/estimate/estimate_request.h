#pragma once
// What the user asked `wattcast estimate` for, from a TOML/JSON file and/or flags, with the
// origin of every value so a bad one is reported where the user wrote it.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "carbon/carbon_catalog.h"
#include "core/result.h"
#include "estimate/training_config.h"
#include "hardware/gpu_catalog.h"

namespace wattcast {

struct RequestValue {
  std::string text;
  std::string file;  // empty for a command-line flag
  int line = 0;
};

class EstimateRequest {
 public:
  // The keys a configuration file may hold; flags use the same names with dashes.
  static const std::vector<std::string>& known_keys();

  // TOML, or JSON when the file name ends in .json or the content starts with '{'.
  static Result<EstimateRequest> from_file(const std::string& path);

  void set(const std::string& key, RequestValue value) { values_[key] = std::move(value); }
  // Values of `overrides` win (flags over the file).
  void merge(const EstimateRequest& overrides);
  const RequestValue* find(const std::string& key) const;

  Error error(const std::string& key, const std::string& what) const;

 private:
  std::map<std::string, RequestValue> values_;
};

// What one sample of an architecture costs: forward GFLOPs, activation bytes, parameters.
struct Workload {
  double gflops = 0;
  std::optional<double> activation_bytes;
  std::optional<double> parameters;
};

// The architectures the reference data measured, at the input sizes they were trained at.
class ArchitectureTable {
 public:
  void add(const std::string& architecture, double input_size, const Workload& workload);
  // Exact when the size was measured; otherwise GFLOPs and activations are scaled by
  // (size / nearest measured size)^2, since a convolutional network's work grows with the
  // input's area (its parameters do not).
  std::optional<Workload> workload(const std::string& architecture, double input_size) const;
  bool measured(const std::string& architecture, double input_size) const;
  std::vector<std::string> names() const;

 private:
  std::map<std::string, std::map<double, Workload>> by_size_;
};

// Job RAM when the request does not give it: the study's most common allocation.
inline constexpr double kAssumedJobRamGb = 32;

struct ResolvedRequest {
  TrainingConfig config;
  std::vector<std::string> assumptions;  // inputs the request left out, and what stood in for them
  CarbonContext carbon;
  std::optional<double> hours;  // the user's own duration for MLCO2 and Green Algorithms
  std::string gflops_source;
};

struct Catalogs {
  const GpuCatalog& gpus;
  const CarbonCatalog& carbon;
  const ArchitectureTable& architectures;
};

Result<ResolvedRequest> resolve_request(const EstimateRequest& request, const Catalogs& catalogs);

// Only the location keys (region, cloud, pue): where the energy is drawn.
Result<CarbonContext> resolve_carbon(const EstimateRequest& request, const CarbonCatalog& catalog);

}  // namespace wattcast
