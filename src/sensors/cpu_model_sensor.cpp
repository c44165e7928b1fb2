#include "sensors/cpu_model_sensor.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <set>
#include <sstream>

#include "core/human_numbers.h"
#include "hardware/cpu_catalog.h"
#include "sensors/text_file.h"

namespace wattcast {

namespace {

struct CpuIdentity {
  std::string model_name;  // empty when /proc/cpuinfo has none (some ARM kernels)
  int sockets = 1;
};

std::string trimmed(const std::string& text) {
  const size_t first = text.find_first_not_of(" \t");
  if (first == std::string::npos) return "";
  return text.substr(first, text.find_last_not_of(" \t") - first + 1);
}

CpuIdentity read_cpu_identity(const std::string& cpuinfo_path) {
  CpuIdentity identity;
  const TextFile file = read_text_file(cpuinfo_path);
  if (!file.ok()) return identity;
  std::set<std::string> physical_ids;
  std::istringstream lines(file.text);
  std::string line;
  while (std::getline(lines, line)) {
    const size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    const std::string key = trimmed(line.substr(0, colon));
    const std::string value = trimmed(line.substr(colon + 1));
    if (key == "model name" && identity.model_name.empty()) identity.model_name = value;
    if (key == "physical id") physical_ids.insert(value);
  }
  identity.sockets = std::max<int>(1, static_cast<int>(physical_ids.size()));
  return identity;
}

// Jiffies from the aggregate "cpu" line of /proc/stat.
struct CpuTimes {
  unsigned long long busy = 0;
  unsigned long long total = 0;
};

std::optional<CpuTimes> read_cpu_times(const std::string& stat_path) {
  const TextFile file = read_text_file(stat_path);
  if (!file.ok() || file.text.rfind("cpu ", 0) != 0) return std::nullopt;
  std::istringstream line(file.text.substr(4, file.text.find('\n')));
  // user nice system idle iowait irq softirq steal (guest time is already inside user and nice)
  unsigned long long fields[8] = {};
  for (auto& field : fields) {
    if (!(line >> field)) return std::nullopt;
  }
  CpuTimes times;
  for (auto field : fields) times.total += field;
  times.busy = times.total - fields[3] - fields[4];  // idle and iowait
  return times;
}

class CpuModelSensor final : public Sensor {
 public:
  CpuModelSensor(DeviceInfo device, std::string stat_path, double tdp_w, int sockets, CpuTimes start)
      : devices_{std::move(device)}, stat_path_(std::move(stat_path)), tdp_w_(tdp_w), sockets_(sockets), last_(start) {}

  std::string name() const override { return "cpu-model"; }
  // A modelled figure; /proc/stat is costly to read (the kernel sums every CPU's counters), and
  // one reading a second is plenty for a model, even at 1 ms sampling.
  double min_interval_s() const override { return 1.0; }
  const std::vector<DeviceInfo>& devices() const override { return devices_; }

  Status sample(std::vector<Reading>& out) override {
    const auto now = read_cpu_times(stat_path_);
    if (!now) return ok_status();  // left out of this tick
    // Two samples within one jiffy see no change: keep the last utilization.
    if (now->total > last_.total && now->busy >= last_.busy) {
      utilization_ = static_cast<double>(now->busy - last_.busy) / static_cast<double>(now->total - last_.total);
    }
    last_ = *now;
    Reading reading;
    reading.device = 0;
    reading.utilization_pct = 100.0 * utilization_;
    reading.power_w = modelled_cpu_power_w(tdp_w_, sockets_, utilization_);
    out.push_back(reading);
    return ok_status();
  }

 private:
  std::vector<DeviceInfo> devices_;
  std::string stat_path_;
  double tdp_w_;
  int sockets_;
  CpuTimes last_;
  double utilization_ = 0;
};

}  // namespace

double modelled_cpu_power_w(double tdp_w, int sockets, double utilization) {
  const double u = std::clamp(utilization, 0.0, 1.0);
  return tdp_w * sockets * (kCpuIdlePowerFraction + (1.0 - kCpuIdlePowerFraction) * u);
}

Result<std::unique_ptr<Sensor>> make_cpu_model_sensor(const std::string& cpus_csv, const std::string& proc_root) {
  auto catalog = CpuCatalog::load(cpus_csv);
  if (!catalog) return Error{catalog.error().message + "; CPU power will not be modelled"};
  const std::string stat_path = proc_root + "/stat";
  const auto start = read_cpu_times(stat_path);
  if (!start) {
    return Error{fmt::format("cannot read CPU times from {}: set WATTCAST_PROC_ROOT to a mounted procfs; CPU power "
                             "will not be modelled",
                             stat_path)};
  }
  const CpuIdentity identity = read_cpu_identity(proc_root + "/cpuinfo");
  const auto spec = catalog->match(identity.model_name);
  const double tdp_w = spec ? spec->tdp_w : catalog->median_tdp_w();

  DeviceInfo device;
  device.kind = "cpu";
  device.name = identity.model_name.empty() ? "unknown CPU" : identity.model_name;
  device.uuid = "cpu-model";
  device.index = 0;
  device.provenance = Provenance::kModelled;
  const std::string curve = fmt::format("power = TDP x {} socket{} x ({}% + {}% x utilization)", identity.sockets,
                                        identity.sockets == 1 ? "" : "s", plain_number(100 * kCpuIdlePowerFraction),
                                        plain_number(100 * (1 - kCpuIdlePowerFraction)));
  if (spec) {
    device.note = fmt::format("TDP {} W per socket ({}, CodeCarbon table); {}", plain_number(tdp_w), spec->name, curve);
  } else {
    device.note = fmt::format("CPU '{}' is not in the CPU table: assumed the table's median TDP, {} W per socket; "
                              "{}; readable RAPL counters would measure it instead",
                              device.name, plain_number(tdp_w), curve);
  }
  return std::unique_ptr<Sensor>(
      std::make_unique<CpuModelSensor>(std::move(device), stat_path, tdp_w, identity.sockets, *start));
}

}  // namespace wattcast
