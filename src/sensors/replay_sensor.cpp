#include "sensors/replay_sensor.h"

#include <algorithm>
#include <chrono>

#include "core/csv.h"

namespace wattcast {

Result<std::unique_ptr<ReplaySensor>> ReplaySensor::open(const std::string& csv_path, std::function<double()> elapsed_s) {
  auto table = CsvTable::read_file(csv_path);
  if (!table) return table.error();
  if (auto s = table->require_columns({"t_s", "device", "power_w"}); !s) return s.error();
  auto sensor = std::unique_ptr<ReplaySensor>(new ReplaySensor());
  for (const auto& row : table->rows()) {
    auto t = row.number("t_s");
    if (!t) return t.error();
    auto power = row.number("power_w");
    if (!power) return power.error();
    if (*power < 0) return row.error("power_w", "must not be negative");
    std::optional<double> energy;
    if (row.has("energy_j")) {
      auto e = row.number("energy_j");
      if (!e) return e.error();
      energy = *e;
    }
    const std::string device = row.text("device");
    auto it = std::find_if(sensor->devices_.begin(), sensor->devices_.end(), [&](const DeviceInfo& d) { return d.name == device; });
    size_t index = static_cast<size_t>(it - sensor->devices_.begin());
    if (it == sensor->devices_.end()) {
      DeviceInfo info;
      info.kind = device.rfind("cpu", 0) == 0 ? "cpu" : "gpu";
      info.name = device;
      info.uuid = "replay-" + device;
      info.index = static_cast<int>(sensor->devices_.size());
      info.note = "replayed from " + csv_path;
      sensor->devices_.push_back(info);
      sensor->rows_.emplace_back();
    }
    auto& rows = sensor->rows_[index];
    if (!rows.empty() && *t < rows.back().t_s) return row.error("t_s", "must not decrease within a device");
    rows.push_back({*t, *power, energy});
  }
  if (sensor->devices_.empty()) return Error::in_file(csv_path, "no samples in the trace");
  sensor->position_.assign(sensor->devices_.size(), 0);
  if (!elapsed_s) {
    const auto start = std::chrono::steady_clock::now();
    elapsed_s = [start] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(); };
  }
  sensor->elapsed_s_ = std::move(elapsed_s);
  return sensor;
}

Status ReplaySensor::sample(std::vector<Reading>& out) {
  const double now_s = elapsed_s_();
  for (size_t d = 0; d < devices_.size(); ++d) {
    const auto& rows = rows_[d];
    size_t& at = position_[d];
    while (at + 1 < rows.size() && rows[at + 1].t_s <= now_s) ++at;
    Reading reading;
    reading.device = d;
    reading.power_w = rows[at].power_w;
    reading.energy_j = rows[at].energy_j;
    out.push_back(reading);
  }
  return ok_status();
}

}  // namespace wattcast
