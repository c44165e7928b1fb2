#include "sensors/nvml_sensor.h"

#include <fmt/format.h>

#include <vector>

#include "sensors/cuda_visible_devices.h"
#include "sensors/nvml_library.h"

namespace wattcast {

namespace {

constexpr const char* kNotMeasured = "GPU power will not be measured";

struct WatchedGpu {
  nvml::Device handle = nullptr;
  bool has_energy_counter = false;
  unsigned long long energy_at_start_mj = 0;
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

class NvmlSensor final : public Sensor {
 public:
  NvmlSensor(std::unique_ptr<NvmlLibrary> nvml, std::vector<DeviceInfo> devices, std::vector<WatchedGpu> gpus)
      : nvml_(std::move(nvml)), devices_(std::move(devices)), gpus_(std::move(gpus)) {}

  std::string name() const override { return "nvml"; }
  const std::vector<DeviceInfo>& devices() const override { return devices_; }

  Status sample(std::vector<Reading>& out) override {
    for (size_t i = 0; i < gpus_.size(); ++i) {
      Reading reading;
      reading.device = i;
      const nvml::Return code = read_energy_and_power(gpus_[i], reading);
      if (code == nvml::kSuccess) {
        read_extras(gpus_[i].handle, reading);
        out.push_back(reading);
      } else if (is_fatal(code)) {
        return Error{fmt::format("NVML failed on GPU {} ({}, {}): {}; GPU power is no longer measured", devices_[i].index,
                                 devices_[i].name, devices_[i].uuid, nvml_->error_string(code))};
      }
    }
    return ok_status();
  }

 private:
  nvml::Return read_energy_and_power(const WatchedGpu& gpu, Reading& reading) const {
    unsigned int power_mw = 0;
    if (auto code = nvml_->device_get_power_usage(gpu.handle, &power_mw); code != nvml::kSuccess) return code;
    reading.power_w = power_mw / 1000.0;
    if (gpu.has_energy_counter) {
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

  // Context figures: a failure only leaves the field absent.
  void read_extras(nvml::Device device, Reading& reading) const {
    if (nvml_->device_get_utilization_rates) {
      nvml::Utilization utilization{};
      if (nvml_->device_get_utilization_rates(device, &utilization) == nvml::kSuccess) {
        reading.utilization_pct = utilization.gpu;
      }
    }
    if (nvml_->device_get_memory_info) {
      nvml::Memory memory{};
      if (nvml_->device_get_memory_info(device, &memory) == nvml::kSuccess) {
        reading.memory_used_bytes = static_cast<double>(memory.used);
      }
    }
    unsigned int value = 0;
    if (nvml_->device_get_temperature &&
        nvml_->device_get_temperature(device, nvml::kTemperatureGpu, &value) == nvml::kSuccess) {
      reading.temperature_c = value;
    }
    if (nvml_->device_get_clock_info && nvml_->device_get_clock_info(device, nvml::kClockSm, &value) == nvml::kSuccess) {
      reading.sm_clock_mhz = value;
    }
    if (nvml_->device_get_power_management_limit &&
        nvml_->device_get_power_management_limit(device, &value) == nvml::kSuccess) {
      reading.power_limit_w = value / 1000.0;
    }
  }

  std::unique_ptr<NvmlLibrary> nvml_;
  std::vector<DeviceInfo> devices_;
  std::vector<WatchedGpu> gpus_;
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
                                                 const std::optional<std::string>& cuda_visible_devices) {
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
  return std::unique_ptr<Sensor>(std::make_unique<NvmlSensor>(std::move(nvml), std::move(devices), std::move(gpus)));
}

}  // namespace wattcast
