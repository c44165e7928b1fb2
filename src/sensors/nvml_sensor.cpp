#include "sensors/nvml_sensor.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <utility>
#include <vector>

#include "sensors/cuda_visible_devices.h"
#include "sensors/nvml_library.h"

namespace wattcast {

namespace {

constexpr const char* kNotMeasured = "GPU power will not be measured";

// How often each figure is read, from what each NVML call costs on an H200 (1-3 us for power,
// utilization, temperature and clocks; 6-10 us memory; 170 us the power limit; ~4 ms of busy CPU
// the energy counter) and from how often the GPU updates it (power and counter: every 100 ms).
// docs/SAMPLING.md explains the choice.
constexpr double kCounterPeriodS = 30;     // between anchors, so a killed monitor loses little
constexpr double kMemoryPeriodS = 1;
constexpr double kPowerLimitPeriodS = 60;  // changes only when someone sets it
// Value changes seen before the GPU's update period is judged.
constexpr size_t kChangesToJudgeUpdates = 10;

struct WatchedGpu {
  nvml::Device handle = nullptr;
  bool has_energy_counter = false;
  unsigned long long energy_at_start_mj = 0;
  bool counter_requested = true;  // the first sample anchors; a failed anchor is retried at the next
  // Sampler thread only: when each figure was last read, and the power readings' history.
  double counter_read_s = -1e300, memory_read_s = -1e300, limit_read_s = -1e300;
  std::optional<double> memory_used_bytes, power_limit_w;  // the latest, repeated until read again
  std::optional<unsigned> last_power_mw;
  double last_read_s = 0, last_change_s = 0;
  std::vector<double> read_gaps_s, change_gaps_s;
  bool update_period_judged = false;
};

// Errors after which no GPU can be read any more, as opposed to one read failing once.
bool is_fatal(nvml::Return code) {
  return code == nvml::kErrorUninitialized || code == nvml::kErrorDriverNotLoaded || code == nvml::kErrorGpuIsLost ||
         code == nvml::kErrorLibRmVersionMismatch;
}

std::string device_string(nvml::DeviceGetStringFn get, nvml::Device device) {
  char buffer[nvml::kStringBufferSize] = {};
  if (get(device, buffer, sizeof buffer) != nvml::kSuccess) return "";
  buffer[sizeof buffer - 1] = '\0';
  return buffer;
}

// Keeps the most recent gaps only: a GPU whose reading never changes must not grow the history.
void push_recent(std::vector<double>& gaps, double gap_s) {
  constexpr size_t kKept = 64;
  if (gaps.size() == 2 * kKept) gaps.erase(gaps.begin(), gaps.begin() + kKept);
  gaps.push_back(gap_s);
}

double median(std::vector<double> values) {
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(values.size() / 2), values.end());
  return values[values.size() / 2];
}

class NvmlSensor final : public Sensor {
 public:
  NvmlSensor(std::unique_ptr<NvmlLibrary> nvml, std::vector<DeviceInfo> devices, std::vector<WatchedGpu> gpus, SecondsClock clock)
      : nvml_(std::move(nvml)), devices_(std::move(devices)), gpus_(std::move(gpus)), clock_(std::move(clock)) {}

  std::string name() const override { return "nvml"; }
  const std::vector<DeviceInfo>& devices() const override { return devices_; }
  void read_counters_next() override {
    for (auto& gpu : gpus_) gpu.counter_requested = true;
  }
  std::vector<std::string> take_notices() override { return std::exchange(notices_, {}); }

  Status sample(std::vector<Reading>& out) override {
    const double now_s = clock_();
    for (size_t i = 0; i < gpus_.size(); ++i) {
      WatchedGpu& gpu = gpus_[i];
      Reading reading;
      reading.device = i;
      const bool read_counter = gpu.has_energy_counter && (gpu.counter_requested || now_s - gpu.counter_read_s >= kCounterPeriodS);
      const nvml::Return code = read_power_and_energy(gpu, read_counter, reading);
      if (code == nvml::kSuccess) {
        if (read_counter) {
          gpu.counter_read_s = now_s;
          gpu.counter_requested = false;
        }
        watch_updates(i, now_s, reading.power_w);
        read_extras(gpu, now_s, reading);
        out.push_back(reading);
      } else if (is_fatal(code)) {
        return Error{fmt::format("NVML failed on GPU {} ({}, {}): {}; GPU power is no longer measured", devices_[i].index,
                                 devices_[i].name, devices_[i].uuid, nvml_->error_string(code))};
      }
    }
    return ok_status();
  }

 private:
  nvml::Return read_power_and_energy(const WatchedGpu& gpu, bool read_counter, Reading& reading) const {
    unsigned int power_mw = 0;
    if (auto code = nvml_->device_get_power_usage(gpu.handle, &power_mw); code != nvml::kSuccess) return code;
    reading.power_w = power_mw / 1000.0;
    if (read_counter) {
      unsigned long long energy_mj = 0;
      if (auto code = nvml_->device_get_total_energy_consumption(gpu.handle, &energy_mj); code != nvml::kSuccess) {
        return code;
      }
      // The counter only restarts when the driver reloads, which invalidates our handles anyway.
      if (energy_mj < gpu.energy_at_start_mj) return nvml::kErrorUnknown;
      reading.energy_j = static_cast<double>(energy_mj - gpu.energy_at_start_mj) / 1000.0;
    }
    return nvml::kSuccess;
  }

  // Sampling faster than the GPU updates its readings costs CPU and measures nothing more: once
  // enough readings have changed, compare how often they change with how often they are read,
  // and say so once. Judged once per run: the interval does not change.
  void watch_updates(size_t i, double now_s, double power_w) {
    WatchedGpu& gpu = gpus_[i];
    if (gpu.update_period_judged) return;
    const unsigned power_mw = static_cast<unsigned>(std::lround(power_w * 1000));
    if (gpu.last_power_mw) {
      push_recent(gpu.read_gaps_s, now_s - gpu.last_read_s);
      if (power_mw != *gpu.last_power_mw) {
        if (gpu.last_change_s > 0) push_recent(gpu.change_gaps_s, now_s - gpu.last_change_s);
        gpu.last_change_s = now_s;
      }
    }
    gpu.last_power_mw = power_mw;
    gpu.last_read_s = now_s;
    if (gpu.change_gaps_s.size() < kChangesToJudgeUpdates) return;
    gpu.update_period_judged = true;
    const double update_s = median(gpu.change_gaps_s), read_s = median(gpu.read_gaps_s);
    gpu.change_gaps_s = {};
    gpu.read_gaps_s = {};
    if (read_s >= 0.75 * update_s) return;
    notices_.push_back(fmt::format("GPU {} ({}) updates its power reading every {:.0f} ms; sampling every {:.0f} ms reads the "
                                   "same values again (--interval-ms {:.0f} measures as much for less CPU)",
                                   devices_[i].index, devices_[i].name, update_s * 1000, read_s * 1000, update_s * 1000));
  }

  // Context figures: a failure only leaves the field absent. The cheap ones are read every tick;
  // memory and the power limit only as often as they are worth.
  void read_extras(WatchedGpu& gpu, double now_s, Reading& reading) const {
    if (nvml_->device_get_utilization_rates) {
      nvml::Utilization utilization{};
      if (nvml_->device_get_utilization_rates(gpu.handle, &utilization) == nvml::kSuccess) {
        reading.utilization_pct = utilization.gpu;
      }
    }
    unsigned int value = 0;
    if (nvml_->device_get_temperature &&
        nvml_->device_get_temperature(gpu.handle, nvml::kTemperatureGpu, &value) == nvml::kSuccess) {
      reading.temperature_c = value;
    }
    if (nvml_->device_get_clock_info && nvml_->device_get_clock_info(gpu.handle, nvml::kClockSm, &value) == nvml::kSuccess) {
      reading.sm_clock_mhz = value;
    }
    if (nvml_->device_get_memory_info && now_s - gpu.memory_read_s >= kMemoryPeriodS) {
      gpu.memory_read_s = now_s;
      nvml::Memory memory{};
      gpu.memory_used_bytes.reset();
      if (nvml_->device_get_memory_info(gpu.handle, &memory) == nvml::kSuccess) {
        gpu.memory_used_bytes = static_cast<double>(memory.used);
      }
    }
    reading.memory_used_bytes = gpu.memory_used_bytes;
    if (nvml_->device_get_power_management_limit && now_s - gpu.limit_read_s >= kPowerLimitPeriodS) {
      gpu.limit_read_s = now_s;
      gpu.power_limit_w.reset();
      if (nvml_->device_get_power_management_limit(gpu.handle, &value) == nvml::kSuccess) gpu.power_limit_w = value / 1000.0;
    }
    reading.power_limit_w = gpu.power_limit_w;
  }

  std::unique_ptr<NvmlLibrary> nvml_;
  std::vector<DeviceInfo> devices_;
  std::vector<WatchedGpu> gpus_;
  SecondsClock clock_;
  std::vector<std::string> notices_;
};

// Starts the energy counter, or explains in the note why the GPU has none.
void start_energy_counter(const NvmlLibrary& nvml, WatchedGpu& gpu, DeviceInfo& info) {
  constexpr const char* kIntegrated = "energy is integrated from power samples";
  if (!nvml.device_get_total_energy_consumption) {
    info.note = fmt::format("this driver's NVML has no total-energy counter; {}", kIntegrated);
    return;
  }
  const nvml::Return code = nvml.device_get_total_energy_consumption(gpu.handle, &gpu.energy_at_start_mj);
  if (code == nvml::kSuccess) {
    gpu.has_energy_counter = true;
  } else if (code == nvml::kErrorNotSupported) {
    info.note = fmt::format("no total-energy counter on this GPU (Volta or newer has one); {}", kIntegrated);
  } else {
    info.note = fmt::format("total-energy counter unreadable ({}); {}", nvml.error_string(code), kIntegrated);
  }
}

}  // namespace

Result<std::unique_ptr<Sensor>> make_nvml_sensor(const std::string& library_path,
                                                 const std::optional<std::string>& cuda_visible_devices, SecondsClock clock) {
  auto opened = NvmlLibrary::open(library_path);
  if (!opened) return opened.error();
  std::unique_ptr<NvmlLibrary> nvml = std::move(opened).value();

  unsigned int count = 0;
  if (auto code = nvml->device_get_count(&count); code != nvml::kSuccess) {
    return Error{fmt::format("NVML cannot count GPUs ({}): check that `nvidia-smi` works; {}", nvml->error_string(code),
                             kNotMeasured)};
  }
  if (count == 0) {
    return Error{fmt::format("NVML sees no GPU: check `nvidia-smi -L` and that this container or VM was given a GPU; {}",
                             kNotMeasured)};
  }
  std::vector<nvml::Device> handles(count);
  std::vector<std::string> uuids(count);
  for (unsigned i = 0; i < count; ++i) {
    if (auto code = nvml->device_get_handle_by_index(i, &handles[i]); code != nvml::kSuccess) {
      return Error{fmt::format("NVML cannot open GPU {} ({}): check `nvidia-smi`; {}", i, nvml->error_string(code),
                               kNotMeasured)};
    }
    uuids[i] = device_string(nvml->device_get_uuid, handles[i]);
  }

  const VisibleDevices visible = select_visible_devices(cuda_visible_devices, uuids);
  if (visible.nvml_indices.empty() && visible.unmatched) {
    return Error{fmt::format("CUDA_VISIBLE_DEVICES='{}' names none of the {} GPUs NVML sees (first bad entry '{}'): use "
                             "indices 0-{} or UUIDs from `nvidia-smi -L`; {}",
                             *cuda_visible_devices, count, *visible.unmatched, count - 1, kNotMeasured)};
  }

  std::vector<DeviceInfo> devices;
  std::vector<WatchedGpu> gpus;
  for (unsigned index : visible.nvml_indices) {
    WatchedGpu gpu;
    gpu.handle = handles[index];
    DeviceInfo info;
    info.kind = "gpu";
    info.name = device_string(nvml->device_get_name, gpu.handle);
    if (info.name.empty()) info.name = fmt::format("GPU {}", index);
    info.uuid = uuids[index];
    info.index = static_cast<int>(index);
    info.provenance = Provenance::kMeasured;
    start_energy_counter(*nvml, gpu, info);
    devices.push_back(std::move(info));
    gpus.push_back(gpu);
  }
  return std::unique_ptr<Sensor>(
      std::make_unique<NvmlSensor>(std::move(nvml), std::move(devices), std::move(gpus), std::move(clock)));
}

}  // namespace wattcast
