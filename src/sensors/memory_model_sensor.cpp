#include "sensors/memory_model_sensor.h"

#include <fmt/format.h>

#include <optional>
#include <sstream>

#include "sensors/text_file.h"

namespace wattcast {

namespace {

struct MemoryFigures {
  std::optional<double> total_bytes;
  std::optional<double> available_bytes;
};

// /proc/meminfo lines look like "MemTotal:       65843412 kB" (kB meaning KiB).
MemoryFigures read_meminfo(const std::string& path) {
  MemoryFigures figures;
  const TextFile file = read_text_file(path);
  if (!file.ok()) return figures;
  std::istringstream lines(file.text);
  std::string key;
  double value = 0;
  std::string unit;
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream fields(line);
    if (!(fields >> key >> value)) continue;
    const double bytes = (fields >> unit && unit == "kB") ? value * 1024.0 : value;
    if (key == "MemTotal:") figures.total_bytes = bytes;
    if (key == "MemAvailable:") figures.available_bytes = bytes;
  }
  return figures;
}

class MemoryModelSensor final : public Sensor {
 public:
  MemoryModelSensor(DeviceInfo device, std::string meminfo_path, double power_w)
      : devices_{std::move(device)}, meminfo_path_(std::move(meminfo_path)), power_w_(power_w) {}

  std::string name() const override { return "memory-model"; }
  // Installed RAM, hence the modelled power, does not change; the used share every 5 s is plenty.
  double min_interval_s() const override { return 5.0; }
  const std::vector<DeviceInfo>& devices() const override { return devices_; }

  Status sample(std::vector<Reading>& out) override {
    Reading reading;
    reading.device = 0;
    reading.power_w = power_w_;
    const MemoryFigures figures = read_meminfo(meminfo_path_);
    if (figures.total_bytes && figures.available_bytes) {
      reading.memory_used_bytes = *figures.total_bytes - *figures.available_bytes;
    }
    out.push_back(reading);
    return ok_status();
  }

 private:
  std::vector<DeviceInfo> devices_;
  std::string meminfo_path_;
  double power_w_;
};

}  // namespace

Result<std::unique_ptr<Sensor>> make_memory_model_sensor(const std::string& proc_root) {
  const std::string path = proc_root + "/meminfo";
  const MemoryFigures figures = read_meminfo(path);
  if (!figures.total_bytes || *figures.total_bytes <= 0) {
    return Error{fmt::format("cannot read MemTotal from {}: set WATTCAST_PROC_ROOT to a mounted procfs; memory power "
                             "will not be modelled",
                             path)};
  }
  const double gib = *figures.total_bytes / (1024.0 * 1024.0 * 1024.0);
  const double power_w = kMemoryWattsPerGib * gib;
  DeviceInfo device;
  device.kind = "memory";
  device.name = fmt::format("RAM ({:.1f} GiB)", gib);
  device.uuid = "meminfo";
  device.index = 0;
  device.provenance = Provenance::kModelled;
  device.note = fmt::format("{} W per GiB of installed RAM (Green Algorithms) x {:.1f} GiB = {:.1f} W, whatever the use",
                            kMemoryWattsPerGib, gib, power_w);
  return std::unique_ptr<Sensor>(std::make_unique<MemoryModelSensor>(std::move(device), path, power_w));
}

}  // namespace wattcast
