#include "estimate/estimate_request.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <toml++/toml.h>

#include "core/human_numbers.h"
#include "core/csv.h"
#include "core/file_input.h"
#include "core/toml_value.h"

namespace wattcast {

const std::vector<std::string>& EstimateRequest::known_keys() {
  static const std::vector<std::string> kKeys = {
      "gpu",           "gpu_cores",   "gpu_memory_gb", "gpu_tdp_w", "gpus",   "gflops", "arch", "activation_mb", "params_m", "batch_size", "input_size",
      "train_samples", "val_samples", "epochs",        "ram_gb",    "region", "cloud",  "pue",  "hours",
      "precision",     "power_limit", "gpu_tflops",    "gpu_bandwidth_gbs", "gpu_idle_w"};
  return kKeys;
}

void EstimateRequest::merge(const EstimateRequest& overrides) {
  for (const auto& [key, value] : overrides.values_) values_[key] = value;
}

const RequestValue* EstimateRequest::find(const std::string& key) const {
  auto it = values_.find(key);
  return it == values_.end() ? nullptr : &it->second;
}

Error EstimateRequest::error(const std::string& key, const std::string& what) const {
  const RequestValue* value = find(key);
  std::string flag = key;
  std::replace(flag.begin(), flag.end(), '_', '-');
  // A missing value is named as the user would give it: the flag, or the key in a --config file.
  if (value == nullptr) return Error{"--" + flag + ": " + what + " (or " + key + " in a --config file)"};
  if (value->file.empty()) return Error{"--" + flag + ": " + what};
  return Error::at(value->file, value->line, key, what);
}

namespace {

bool is_known_key(const std::string& key) {
  const auto& keys = EstimateRequest::known_keys();
  return std::find(keys.begin(), keys.end(), key) != keys.end();
}

int line_of_offset(const std::string& content, size_t offset) {
  return 1 + static_cast<int>(std::count(content.begin(), content.begin() + static_cast<long>(std::min(offset, content.size())), '\n'));
}

Result<EstimateRequest> parse_toml(const std::string& path, const std::string& content) {
  toml::table table;
  try {
    table = toml::parse(content, path);
  } catch (const toml::parse_error& e) {
    return Error::at(path, static_cast<int>(e.source().begin.line), "", std::string(e.description()));
  }
  EstimateRequest request;
  for (const auto& [key, node] : table) {
    const std::string name(key.str());
    const int line = static_cast<int>(node.source().begin.line);
    if (!is_known_key(name)) return Error::at(path, line, name, "unknown key");
    std::string text = toml_value_text(node);
    if (text.empty()) return Error::at(path, line, name, "expected a number or a string");
    request.set(name, {text, path, line});
  }
  return request;
}

Result<EstimateRequest> parse_json(const std::string& path, const std::string& content) {
  nlohmann::json json;
  try {
    json = nlohmann::json::parse(content);
  } catch (const nlohmann::json::parse_error& e) {
    return Error::at(path, line_of_offset(content, e.byte > 0 ? e.byte - 1 : 0), "", "malformed JSON");
  }
  if (!json.is_object()) return Error::at(path, 1, "", "expected a JSON object of settings");
  EstimateRequest request;
  for (const auto& [name, value] : json.items()) {
    // nlohmann::json keeps no positions; the key's first appearance is where the user wrote it.
    const int line = line_of_offset(content, content.find("\"" + name + "\""));
    if (!is_known_key(name)) return Error::at(path, line, name, "unknown key");
    std::string text;
    if (value.is_string()) {
      text = value.get<std::string>();
    } else if (value.is_number()) {
      text = value.dump();
    } else {
      return Error::at(path, line, name, "expected a number or a string");
    }
    request.set(name, {text, path, line});
  }
  return request;
}

}  // namespace

Result<EstimateRequest> EstimateRequest::from_file(const std::string& path) {
  auto read = read_input_file(path);
  if (!read) return read.error();
  const std::string& content = *read;
  const auto first = content.find_first_not_of(" \t\r\n");
  const bool json = (path.size() >= 5 && path.substr(path.size() - 5) == ".json") || (first != std::string::npos && content[first] == '{');
  return json ? parse_json(path, content) : parse_toml(path, content);
}

void ArchitectureTable::add(const std::string& architecture, double input_size, const Workload& workload) {
  by_size_[architecture].emplace(input_size, workload);
}

std::optional<Workload> ArchitectureTable::workload(const std::string& architecture, double input_size) const {
  auto it = by_size_.find(architecture);
  if (it == by_size_.end()) return std::nullopt;
  const auto& sizes = it->second;
  if (auto exact = sizes.find(input_size); exact != sizes.end()) return exact->second;
  auto nearest = std::min_element(sizes.begin(), sizes.end(), [&](const auto& a, const auto& b) {
    return std::abs(a.first - input_size) < std::abs(b.first - input_size);
  });
  const double area = (input_size / nearest->first) * (input_size / nearest->first);
  Workload scaled = nearest->second;
  scaled.gflops *= area;
  if (scaled.activation_bytes) *scaled.activation_bytes *= area;
  return scaled;
}

bool ArchitectureTable::measured(const std::string& architecture, double input_size) const {
  auto it = by_size_.find(architecture);
  return it != by_size_.end() && it->second.count(input_size) > 0;
}

std::vector<std::string> ArchitectureTable::names() const {
  std::vector<std::string> names;
  for (const auto& [name, sizes] : by_size_) names.push_back(name);
  return names;
}

namespace {

// Reads a request value as a finite number > 0 (or >= 1 for counts).
Result<double> positive_number(const EstimateRequest& request, const std::string& key) {
  const RequestValue* value = request.find(key);
  if (value == nullptr) return request.error(key, "is required");
  auto number = parse_finite_double(value->text);
  if (!number) return request.error(key, "expected a finite number, got '" + value->text + "'");
  if (*number <= 0) return request.error(key, "must be positive, got '" + value->text + "'");
  return *number;
}

Result<std::optional<double>> optional_positive(const EstimateRequest& request, const std::string& key) {
  if (request.find(key) == nullptr) return std::optional<double>{};
  auto value = positive_number(request, key);
  if (!value) return value.error();
  return std::optional<double>{*value};
}

Result<GpuSpec> resolve_gpu(const EstimateRequest& request, const GpuCatalog& catalog) {
  const bool by_specs = request.find("gpu_cores") || request.find("gpu_memory_gb") || request.find("gpu_tdp_w");
  if (by_specs) {
    GpuSpec gpu;
    for (auto [key, target] : {std::pair{"gpu_cores", &gpu.cuda_cores}, std::pair{"gpu_memory_gb", &gpu.memory_gb},
                               std::pair{"gpu_tdp_w", &gpu.tdp_w}}) {
      auto value = positive_number(request, key);
      if (!value) return value.error();
      *target = *value;
    }
    // What the GPU-generic model needs beyond the study's three specs; assumed when absent.
    for (auto [key, target] : {std::pair{"gpu_tflops", &gpu.fp32_tflops}, std::pair{"gpu_bandwidth_gbs", &gpu.memory_bandwidth_gbs},
                               std::pair{"gpu_idle_w", &gpu.idle_w}}) {
      auto value = optional_positive(request, key);
      if (!value) return value.error();
      *target = *value;
    }
    const RequestValue* name = request.find("gpu");
    gpu.name = name ? name->text + " (given specs)" : "custom GPU";
    return gpu;
  }
  const RequestValue* name = request.find("gpu");
  if (name == nullptr) return request.error("gpu", "is required (a catalog name, or --gpu-cores, --gpu-memory-gb and --gpu-tdp-w)");
  auto gpu = catalog.resolve(name->text);
  if (!gpu) return request.error("gpu", gpu.error().message);
  return gpu;
}

}  // namespace

Result<CarbonContext> resolve_carbon(const EstimateRequest& request, const CarbonCatalog& catalog) {
  CarbonContext carbon;
  const GridLocation& world = catalog.world();
  carbon.label = world.name;
  carbon.g_co2e_per_kwh = world.g_co2e_per_kwh;
  if (request.find("region") && request.find("cloud")) return request.error("cloud", "give either a region or a cloud region, not both");
  if (const RequestValue* region = request.find("region")) {
    auto location = catalog.resolve_location(region->text);
    if (!location) return request.error("region", location.error().message);
    carbon.label = location->code == world.code ? world.name : location->code + " (" + location->name + ")";
    carbon.g_co2e_per_kwh = location->g_co2e_per_kwh;
  }
  if (const RequestValue* cloud = request.find("cloud")) {
    auto region = catalog.resolve_cloud(cloud->text);
    if (!region) return request.error("cloud", region.error().message);
    carbon.label = region->provider + ":" + region->region + (region->country.empty() ? "" : " (" + region->country + ")");
    carbon.g_co2e_per_kwh = region->g_co2e_per_kwh;
    carbon.pue = region->pue.value_or(catalog.default_pue(region->provider));
    carbon.pue_source = region->pue ? "the region's published PUE" : "the provider's default PUE";
  }
  auto pue = optional_positive(request, "pue");
  if (!pue) return pue.error();
  if (*pue) {
    if (**pue < 1.0) return request.error("pue", "must be at least 1.0, got '" + request.find("pue")->text + "'");
    carbon.pue = **pue;
    carbon.pue_source = "given";
  }
  return carbon;
}

Result<ResolvedRequest> resolve_request(const EstimateRequest& request, const Catalogs& catalogs) {
  ResolvedRequest resolved;
  TrainingConfig& config = resolved.config;

  auto gpu = resolve_gpu(request, catalogs.gpus);
  if (!gpu) return gpu.error();
  config.gpu = *gpu;

  // Counts are whole; every figure has a bound past which it is a typo, not a training run.
  struct NumberField {
    const char* key;
    double* target;
    bool whole;
    double max;
  };
  for (auto [key, target, whole, max] : {NumberField{"batch_size", &config.batch_size, true, 1e7}, NumberField{"input_size", &config.input_size, true, 1e6},
                                         NumberField{"train_samples", &config.train_samples, true, 1e13},
                                         NumberField{"val_samples", &config.val_samples, true, 1e13}, NumberField{"epochs", &config.epochs, true, 1e6}}) {
    auto value = positive_number(request, key);
    if (!value) return value.error();
    const std::string& text = request.find(key)->text;
    if (whole && *value != std::floor(*value)) return request.error(key, "expected a whole number, got '" + text + "'");
    if (*value > max) return request.error(key, fmt::format("at most {}, got '{}'", plain_number(max), text));
    *target = *value;
  }

  // Job RAM barely moves training energy (the study), and few users know what their job was
  // given, so it is assumed rather than demanded; the methods that read it say so.
  auto ram_gb = optional_positive(request, "ram_gb");
  if (!ram_gb) return ram_gb.error();
  if (*ram_gb && **ram_gb > 1e6) return request.error("ram_gb", fmt::format("at most 1000000, got '{}'", request.find("ram_gb")->text));
  config.total_ram_gb = ram_gb->value_or(kAssumedJobRamGb);
  if (!*ram_gb) {
    resolved.assumptions.push_back(fmt::format("--ram-gb not given: assumed {} GB, the study's most common job RAM (used by wattcast, pre-paper and "
                                               "green-algorithms; the study found job RAM moves energy little)",
                                               plain_number(kAssumedJobRamGb)));
  }

  auto gpus = optional_positive(request, "gpus");
  if (!gpus) return gpus.error();
  if (*gpus) {
    if (**gpus != std::floor(**gpus)) return request.error("gpus", "expected a whole number, got '" + request.find("gpus")->text + "'");
    if (**gpus > 1e5) return request.error("gpus", "at most 100000, got '" + request.find("gpus")->text + "'");
    config.gpu_count = static_cast<int>(**gpus);
  }

  if (request.find("gflops") && request.find("arch")) return request.error("arch", "give either --gflops or --arch, not both");
  if (const RequestValue* arch = request.find("arch")) {
    auto workload = catalogs.architectures.workload(arch->text, config.input_size);
    if (!workload) {
      std::string known;
      for (const auto& name : catalogs.architectures.names()) known += (known.empty() ? "" : ", ") + name;
      return request.error("arch", "unknown architecture '" + arch->text + "' (known: " + known + "; or give --gflops)");
    }
    config.gflops = workload->gflops;
    config.activation_bytes = workload->activation_bytes;
    config.parameters = workload->parameters;
    resolved.gflops_source = catalogs.architectures.measured(arch->text, config.input_size)
                                 ? fmt::format("{} at {} px, the study's TensorFlow profile", arch->text, plain_number(config.input_size))
                                 : fmt::format("{} scaled by input area from the nearest size the study profiled", arch->text);
  } else {
    if (!request.find("gflops")) return request.error("gflops", "is required (forward-pass GFLOPs at batch 1), or give --arch");
    auto gflops = positive_number(request, "gflops");
    if (!gflops) return gflops.error();
    config.gflops = *gflops;
    resolved.gflops_source = "given";
  }

  auto activation_mb = optional_positive(request, "activation_mb");
  if (!activation_mb) return activation_mb.error();
  if (*activation_mb) config.activation_bytes = **activation_mb * 1e6;
  auto params_m = optional_positive(request, "params_m");
  if (!params_m) return params_m.error();
  if (*params_m) config.parameters = **params_m * 1e6;

  if (const RequestValue* precision = request.find("precision")) {
    if (!is_known_precision(precision->text)) return request.error("precision", "expected fp32, tf32, fp16 or bf16, got '" + precision->text + "'");
    config.precision = precision->text;
  }
  auto limit = optional_positive(request, "power_limit");
  if (!limit) return limit.error();
  if (*limit) {
    if (**limit > config.gpu.tdp_w) {
      return request.error("power_limit", fmt::format("{} W is above the {}'s default limit of {} W", plain_number(**limit), config.gpu.name, plain_number(config.gpu.tdp_w)));
    }
    if (**limit < config.gpu.tdp_w) config.power_limit_w = **limit;
  }

  auto hours = optional_positive(request, "hours");
  if (!hours) return hours.error();
  resolved.hours = *hours;

  auto carbon = resolve_carbon(request, catalogs.carbon);
  if (!carbon) return carbon.error();
  resolved.carbon = *carbon;
  return resolved;
}

}  // namespace wattcast
