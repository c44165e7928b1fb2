#include "store/json_columns.h"

#include <nlohmann/json.hpp>

namespace wattcast {

std::string tags_to_json(const std::map<std::string, std::string>& tags) { return nlohmann::json(tags).dump(); }

std::map<std::string, std::string> tags_from_json(const std::string& text) {
  auto json = nlohmann::json::parse(text, nullptr, false);
  if (json.is_discarded() || !json.is_object()) return {};
  std::map<std::string, std::string> tags;
  for (const auto& [k, v] : json.items()) tags[k] = v.is_string() ? v.get<std::string>() : v.dump();
  return tags;
}

std::string metrics_to_json(const std::map<std::string, double>& metrics) { return nlohmann::json(metrics).dump(); }

std::map<std::string, double> metrics_from_json(const std::string& text) {
  std::map<std::string, double> metrics;
  auto json = nlohmann::json::parse(text, nullptr, false);
  if (json.is_discarded() || !json.is_object()) return metrics;
  for (const auto& [k, v] : json.items()) {
    if (v.is_number()) metrics[k] = v.get<double>();
  }
  return metrics;
}

}  // namespace wattcast
