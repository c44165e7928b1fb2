#pragma once
// libnvidia-ml loaded at run time: the handle, the function table and NVML's init/shutdown
// pairing, owned together so that NVML is shut down and unloaded exactly once.

#include <memory>
#include <string>

#include "core/result.h"
#include "sensors/nvml_api.h"

namespace wattcast {

class NvmlLibrary {
 public:
  // dlopen's `path` (a file name searched like any shared library, or a path), resolves the
  // functions and calls nvmlInit_v2. The error says what is missing and how to fix it.
  static Result<std::unique_ptr<NvmlLibrary>> open(const std::string& path);
  ~NvmlLibrary();
  NvmlLibrary(const NvmlLibrary&) = delete;
  NvmlLibrary& operator=(const NvmlLibrary&) = delete;

  std::string error_string(nvml::Return code) const;

  // Always present (open fails without them).
  nvml::DeviceGetCountFn device_get_count = nullptr;
  nvml::DeviceGetHandleByIndexFn device_get_handle_by_index = nullptr;
  nvml::DeviceGetStringFn device_get_name = nullptr;
  nvml::DeviceGetStringFn device_get_uuid = nullptr;
  nvml::DeviceGetUnsignedFn device_get_power_usage = nullptr;
  // Null when the driver predates them: the figure is then simply not reported.
  nvml::DeviceGetEnergyFn device_get_total_energy_consumption = nullptr;
  nvml::DeviceGetUtilizationFn device_get_utilization_rates = nullptr;
  nvml::DeviceGetMemoryFn device_get_memory_info = nullptr;
  nvml::DeviceGetTemperatureFn device_get_temperature = nullptr;
  nvml::DeviceGetClockFn device_get_clock_info = nullptr;
  nvml::DeviceGetUnsignedFn device_get_power_management_limit = nullptr;

 private:
  NvmlLibrary() = default;

  void* handle_ = nullptr;
  bool initialized_ = false;
  nvml::ShutdownFn shutdown_ = nullptr;
  nvml::ErrorStringFn error_string_ = nullptr;
};

}  // namespace wattcast
