#include "sensors/rapl_sensor.h"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <optional>
#include <vector>

#include "sensors/text_file.h"

namespace wattcast {

namespace {

constexpr const char* kFallback = "wattcast falls back to a CPU model";

struct Zone {
  std::string directory;        // .../class/powercap/intel-rapl:0:1
  std::string id;               // intel-rapl:0:1
  std::vector<unsigned> path;   // {0, 1}: package 0, subzone 1
  std::string name;             // contents of `name`: package-0, dram, core, psys, ...
};

struct Counter {
  std::string energy_file;
  unsigned long long range_uj = 0;
  unsigned long long last_uj = 0;
  double last_time_s = 0;
  unsigned long long total_uj = 0;  // since the sensor started
};

// "intel-rapl:0:1" -> {0, 1}; nullopt for anything else (intel-rapl-mmio:0, ...).
std::optional<std::vector<unsigned>> zone_path(const std::string& id) {
  constexpr std::string_view kPrefix = "intel-rapl:";
  if (id.rfind(kPrefix, 0) != 0) return std::nullopt;
  std::vector<unsigned> path;
  size_t start = kPrefix.size();
  while (true) {
    const size_t colon = id.find(':', start);
    const std::string part = id.substr(start, colon == std::string::npos ? std::string::npos : colon - start);
    const auto number = parse_unsigned(part);
    if (!number.ok || part.empty() || part.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
    path.push_back(static_cast<unsigned>(number.value));
    if (colon == std::string::npos) return path;
    start = colon + 1;
  }
}

std::string trimmed_line(const std::string& text) {
  const size_t end = text.find_last_not_of(" \t\r\n");
  return end == std::string::npos ? "" : text.substr(0, end + 1);
}

Error unreadable(const std::string& powercap_dir, const std::string& file, int error_number) {
  if (error_number == EACCES || error_number == EPERM) {
    return Error{fmt::format("RAPL energy files are not readable (kernel restricts energy_uj to root since "
                             "CVE-2020-8694): run `sudo chmod o+r {}/intel-rapl:*/energy_uj` or add a udev rule (see "
                             "README), or {}",
                             powercap_dir, kFallback)};
  }
  return Error{fmt::format("cannot read RAPL counter {} ({}): {}", file, std::strerror(error_number), kFallback)};
}

Result<unsigned long long> read_counter_file(const std::string& powercap_dir, const std::string& file) {
  const TextFile text = read_text_file(file);
  if (!text.ok()) return unreadable(powercap_dir, file, text.error_number);
  const auto value = parse_unsigned(text.text);
  if (!value.ok) {
    return Error{fmt::format("RAPL counter {} holds '{}', not a number; {}", file, trimmed_line(text.text), kFallback)};
  }
  return value.value;
}

class RaplSensor final : public Sensor {
 public:
  RaplSensor(std::vector<DeviceInfo> devices, std::vector<Counter> counters, SecondsClock clock)
      : devices_(std::move(devices)), counters_(std::move(counters)), clock_(std::move(clock)) {}

  std::string name() const override { return "rapl"; }
  const std::vector<DeviceInfo>& devices() const override { return devices_; }

  Status sample(std::vector<Reading>& out) override {
    const double now_s = clock_();
    for (size_t i = 0; i < counters_.size(); ++i) {
      Counter& counter = counters_[i];
      const auto file = read_text_file(counter.energy_file);
      const auto now_uj = file.ok() ? parse_unsigned(file.text) : UnsignedParse{};
      if (!now_uj.ok) continue;  // this zone sits this tick out
      // The counter wraps at max_energy_range_uj back to 0.
      const unsigned long long delta_uj = now_uj.value >= counter.last_uj
                                              ? now_uj.value - counter.last_uj
                                              : now_uj.value + counter.range_uj - counter.last_uj;
      const double elapsed_s = now_s - counter.last_time_s;
      counter.total_uj += delta_uj;
      counter.last_uj = now_uj.value;
      counter.last_time_s = now_s;

      Reading reading;
      reading.device = i;
      reading.energy_j = static_cast<double>(counter.total_uj) * 1e-6;
      if (elapsed_s > 0) reading.power_w = static_cast<double>(delta_uj) * 1e-6 / elapsed_s;
      out.push_back(reading);
    }
    return ok_status();
  }

 private:
  std::vector<DeviceInfo> devices_;
  std::vector<Counter> counters_;
  SecondsClock clock_;
};

// The package and DRAM zones, packages before their subzones, in numeric order.
std::vector<Zone> watched_zones(const std::string& powercap_dir) {
  std::vector<Zone> all;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(powercap_dir, error)) {
    const std::string id = entry.path().filename().string();
    auto path = zone_path(id);
    if (!path || path->size() > 2) continue;
    const TextFile name = read_text_file(entry.path().string() + "/name");
    all.push_back({entry.path().string(), id, *path, name.ok() ? trimmed_line(name.text) : ""});
  }
  std::sort(all.begin(), all.end(), [](const Zone& a, const Zone& b) { return a.path < b.path; });

  std::vector<Zone> watched;
  for (const auto& zone : all) {
    const bool package = zone.path.size() == 1 && zone.name.rfind("package", 0) == 0;
    const bool dram_of_package =
        zone.path.size() == 2 && zone.name == "dram" &&
        std::any_of(watched.begin(), watched.end(), [&](const Zone& w) { return w.path == std::vector{zone.path[0]}; });
    if (package || dram_of_package) watched.push_back(zone);
  }
  return watched;
}

}  // namespace

Result<std::unique_ptr<Sensor>> make_rapl_sensor(const std::string& sysfs_root, SecondsClock clock) {
  const std::string powercap_dir = sysfs_root + "/class/powercap";
  const std::vector<Zone> zones = watched_zones(powercap_dir);
  if (zones.empty()) {
    return Error{fmt::format("RAPL not available (no package zone under {}/intel-rapl:*): needs Linux on an Intel or "
                             "AMD Zen CPU with the powercap RAPL driver loaded (`sudo modprobe intel_rapl_msr`); {}",
                             powercap_dir, kFallback)};
  }

  std::vector<DeviceInfo> devices;
  std::vector<Counter> counters;
  int packages = 0;
  int drams = 0;
  const double start_s = clock();
  for (const auto& zone : zones) {
    Counter counter;
    counter.energy_file = zone.directory + "/energy_uj";
    auto range = read_counter_file(powercap_dir, zone.directory + "/max_energy_range_uj");
    if (!range) return range.error();
    auto energy = read_counter_file(powercap_dir, counter.energy_file);
    if (!energy) return energy.error();
    counter.range_uj = *range;
    counter.last_uj = *energy;
    counter.last_time_s = start_s;

    DeviceInfo info;
    info.uuid = zone.id;
    info.provenance = Provenance::kMeasured;
    if (zone.path.size() == 1) {
      info.kind = "cpu";
      info.name = zone.name;
      info.index = packages++;
    } else {
      info.kind = "dram";
      info.name = fmt::format("dram (package-{})", zone.path[0]);
      info.index = drams++;
    }
    devices.push_back(std::move(info));
    counters.push_back(std::move(counter));
  }
  return std::unique_ptr<Sensor>(std::make_unique<RaplSensor>(std::move(devices), std::move(counters), std::move(clock)));
}

}  // namespace wattcast
