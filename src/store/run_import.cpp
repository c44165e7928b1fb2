#include "store/run_import.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "core/csv.h"

namespace wattcast {

namespace {

// Present and a finite number, or absent when the cell is empty.
Result<std::optional<double>> optional_number(const CsvRow& row, const char* column) {
  if (row.text(column).empty()) return std::optional<double>();
  auto value = row.number(column);
  if (!value) return value.error();
  return std::optional<double>(*value);
}

Status read_samples(const std::string& path, ImportedRun& imported) {
  auto table = CsvTable::read_file(path);
  if (!table) return table.error();
  if (auto ok = table->require_columns({"tick", "t_s", "device", "kind", "power_w", "energy_j"}); !ok) return ok.error();
  std::map<std::pair<std::string, std::string>, size_t> device_of;  // (kind, name) -> devices
  std::set<std::pair<size_t, int64_t>> seen;                        // (device, tick)
  std::map<std::string, int> per_kind;
  for (const CsvRow& row : table->rows()) {
    const std::string name = row.text("device"), kind = row.text("kind");
    if (kind.empty()) return row.error("kind", "is empty");
    auto tick = row.number("tick");
    if (!tick) return tick.error();
    if (*tick < 0 || *tick != std::floor(*tick)) return row.error("tick", "must be a whole number, 0 or more");
    auto t_s = row.number("t_s");
    if (!t_s) return t_s.error();
    auto [slot, added] = device_of.emplace(std::pair{kind, name}, imported.devices.size());
    if (added) {
      ImportedDevice device;
      device.info.kind = kind;
      device.info.name = name;
      device.info.index = per_kind[kind]++;
      device.info.uuid = fmt::format("imported:{}:{}", kind, device.info.index);
      imported.devices.push_back(std::move(device));
    }
    if (!seen.emplace(slot->second, static_cast<int64_t>(*tick)).second) {
      return row.error("tick", fmt::format("repeats tick {} of device '{}'", static_cast<int64_t>(*tick), name));
    }
    SampleRecord sample;
    sample.tick = static_cast<int64_t>(*tick);
    sample.t_s = *t_s;
    Reading& r = sample.reading;
    const std::pair<const char*, std::optional<double>*> fields[] = {
        {"energy_j", &r.energy_j},           {"utilization_pct", &r.utilization_pct}, {"memory_used_bytes", &r.memory_used_bytes},
        {"temperature_c", &r.temperature_c}, {"sm_clock_mhz", &r.sm_clock_mhz},       {"power_limit_w", &r.power_limit_w},
        {"cpu_time_s", &r.cpu_time_s},       {"rss_bytes", &r.rss_bytes}};
    for (const auto& [column, field] : fields) {
      auto value = optional_number(row, column);
      if (!value) return value.error();
      *field = *value;
    }
    auto power = optional_number(row, "power_w");
    if (!power) return power.error();
    if (*power) r.power_w = **power;
    imported.devices[slot->second].samples.push_back(sample);
  }
  if (imported.devices.empty()) return Error{path + ": no samples"};
  return ok_status();
}

Status read_epochs(const std::string& path, ImportedRun& imported) {
  auto table = CsvTable::read_file(path);
  if (!table) return table.error();
  if (auto ok = table->require_columns({"epoch", "start_s", "duration_s"}); !ok) return ok.error();
  std::set<int> seen;
  for (const CsvRow& row : table->rows()) {
    auto epoch = row.number("epoch");
    if (!epoch) return epoch.error();
    if (*epoch != std::floor(*epoch) || std::fabs(*epoch) > 1e9) return row.error("epoch", "must be a whole number");
    if (!seen.insert(static_cast<int>(*epoch)).second) return row.error("epoch", fmt::format("repeats epoch {}", static_cast<int>(*epoch)));
    auto start_s = row.number("start_s");
    if (!start_s) return start_s.error();
    auto duration_s = row.number("duration_s");
    if (!duration_s) return duration_s.error();
    if (*duration_s < 0) return row.error("duration_s", "must not be negative");
    std::map<std::string, double> metrics;
    if (const std::string text = row.text("metrics_json"); !text.empty()) {
      const auto json = nlohmann::json::parse(text, nullptr, false);
      if (!json.is_object()) return row.error("metrics_json", "is not a JSON object");
      for (const auto& [key, value] : json.items()) {
        if (!value.is_number()) return row.error("metrics_json", fmt::format("'{}' is not a number", key));
        metrics[key] = value.get<double>();
      }
    }
    MarkerRecord begin;
    begin.t_s = *start_s;
    begin.type = "epoch_begin";
    begin.epoch = static_cast<int>(*epoch);
    begin.source = "import";
    MarkerRecord end = begin;
    end.t_s = *start_s + *duration_s;
    end.type = "epoch_end";
    end.metrics = std::move(metrics);
    imported.markers.push_back(std::move(begin));
    imported.markers.push_back(std::move(end));
  }
  return ok_status();
}

// See the header: the export does not say how a device was measured.
void judge_provenance(ImportedDevice& device, const std::string& source) {
  const bool has_counter = std::any_of(device.samples.begin(), device.samples.end(), [](const SampleRecord& s) { return s.reading.energy_j.has_value(); });
  const bool measured = has_counter || device.info.kind == "gpu" || device.info.kind == "process";
  device.info.provenance = measured ? Provenance::kMeasured : Provenance::kModelled;
  device.info.note = fmt::format("imported from {}", source);
}

}  // namespace

Result<ImportedRun> read_exported_run(const std::string& samples_csv, const std::optional<std::string>& epochs_csv) {
  ImportedRun imported;
  if (auto ok = read_samples(samples_csv, imported); !ok) return ok.error();
  if (epochs_csv) {
    if (auto ok = read_epochs(*epochs_csv, imported); !ok) return ok.error();
  }
  double first_s = INFINITY, last_s = -INFINITY;
  for (ImportedDevice& device : imported.devices) {
    judge_provenance(device, samples_csv);
    for (const auto& s : device.samples) first_s = std::min(first_s, s.t_s), last_s = std::max(last_s, s.t_s);
  }
  for (const auto& m : imported.markers) first_s = std::min(first_s, m.t_s), last_s = std::max(last_s, m.t_s);
  imported.run.command = "imported from " + samples_csv;
  imported.run.start_s = first_s;
  imported.run.end_s = last_s;
  imported.run.end_reason = "imported";
  return imported;
}

Result<int64_t> store_imported_run(RunStore& store, const ImportedRun& imported) {
  auto run_id = store.begin_run(imported.run);
  if (!run_id) return run_id.error();
  std::vector<SampleRecord> samples;
  for (const auto& device : imported.devices) {
    auto device_id = store.add_device(*run_id, "import", device.info);
    if (!device_id) return device_id.error();
    for (SampleRecord s : device.samples) {
      s.device_id = *device_id;
      samples.push_back(s);
    }
  }
  if (auto ok = store.append_samples(samples); !ok) return ok.error();
  std::vector<MarkerRecord> markers = imported.markers;
  for (auto& m : markers) m.run_id = *run_id;
  if (auto ok = store.append_markers(markers); !ok) return ok.error();
  if (auto ok = store.finish_run(*run_id, *imported.run.end_s, imported.run.exit_code, imported.run.end_reason); !ok) return ok.error();
  return *run_id;
}

}  // namespace wattcast
