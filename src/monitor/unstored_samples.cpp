#include "monitor/unstored_samples.h"

#include <fmt/format.h>

#include "core/human_numbers.h"

namespace wattcast {

namespace {

constexpr const char* kDevicePrefix = "device_";
constexpr const char* kDeviceSuffix = "_energy_j";

std::string device_key(int64_t device_id) { return kDevicePrefix + std::to_string(device_id) + kDeviceSuffix; }

// The store device id of a "device_12_energy_j" key.
std::optional<int64_t> device_of(const std::string& key) {
  const std::string prefix = kDevicePrefix, suffix = kDeviceSuffix;
  if (key.size() <= prefix.size() + suffix.size() || key.rfind(prefix, 0) != 0 || key.compare(key.size() - suffix.size(), suffix.size(), suffix) != 0) {
    return std::nullopt;
  }
  const std::string digits = key.substr(prefix.size(), key.size() - prefix.size() - suffix.size());
  if (digits.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
  return std::stoll(digits);
}

}  // namespace

MarkerRecord unstored_samples_marker(int64_t run_id, const UnstoredSamplesRecord& record) {
  MarkerRecord m;
  m.run_id = run_id;
  m.t_s = record.span.first_t_s;
  m.type = kUnstoredSamplesMarker;
  m.name = record.span.reason;
  m.source = "wattcast";
  m.metrics = {{"samples", static_cast<double>(record.span.samples)},
               {"first_tick", static_cast<double>(record.span.first_tick)},
               {"last_tick", static_cast<double>(record.span.last_tick)},
               {"last_t_s", record.span.last_t_s},
               {"energy_j", record.energy_j}};
  for (const auto& [device_id, energy_j] : record.device_energy_j) m.metrics[device_key(device_id)] = energy_j;
  return m;
}

std::optional<UnstoredSamplesRecord> find_unstored_samples(const std::vector<MarkerRecord>& markers) {
  for (const auto& m : markers) {
    if (m.type != kUnstoredSamplesMarker) continue;
    auto figure = [&](const char* name) { auto it = m.metrics.find(name); return it == m.metrics.end() ? 0.0 : it->second; };
    UnstoredSamplesRecord record;
    record.span.samples = static_cast<int64_t>(figure("samples"));
    record.span.first_tick = static_cast<int64_t>(figure("first_tick"));
    record.span.last_tick = static_cast<int64_t>(figure("last_tick"));
    record.span.first_t_s = m.t_s;
    record.span.last_t_s = figure("last_t_s");
    record.span.reason = m.name;
    record.energy_j = figure("energy_j");
    for (const auto& [key, value] : m.metrics) {
      if (auto device_id = device_of(key)) record.device_energy_j[*device_id] = value;
    }
    return record;
  }
  return std::nullopt;
}

std::string unstored_samples_text(const UnstoredSamples& span, double run_start_s) {
  return fmt::format("samples from {} to {} s were not stored ({}); totals are the monitor's own integration",
                     plain_number(span.first_t_s - run_start_s), plain_number(span.last_t_s - run_start_s),
                     span.reason.empty() ? "the store refused them" : span.reason);
}

}  // namespace wattcast
