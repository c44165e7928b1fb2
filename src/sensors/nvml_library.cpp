#include "sensors/nvml_library.h"

#include <dlfcn.h>

#include <fmt/format.h>

namespace wattcast {

namespace {

constexpr const char* kNotMeasured = "GPU power will not be measured";

template <typename Fn>
Fn symbol(void* handle, const char* name) {
  return reinterpret_cast<Fn>(::dlsym(handle, name));
}

std::string init_failure_hint(nvml::Return code) {
  switch (code) {
    case nvml::kErrorDriverNotLoaded:
      return "the NVIDIA kernel driver is not loaded: install or load it (`nvidia-smi` must work)";
    case nvml::kErrorNoPermission:
      return "no permission to open /dev/nvidia*: add the user to the group owning those devices";
    case nvml::kErrorLibRmVersionMismatch:
      return "the NVML library and the loaded kernel driver differ in version: reboot after a driver update, "
             "or point WATTCAST_NVML_LIBRARY at the library matching the driver";
    default:
      return "check that `nvidia-smi` works";
  }
}

}  // namespace

Result<std::unique_ptr<NvmlLibrary>> NvmlLibrary::open(const std::string& path) {
  std::unique_ptr<NvmlLibrary> library(new NvmlLibrary());
  library->handle_ = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (library->handle_ == nullptr) {
    const char* detail = ::dlerror();
    return Error{fmt::format("NVML not found ({}): install the NVIDIA driver, or set WATTCAST_NVML_LIBRARY to its path; {}",
                             detail ? detail : path, kNotMeasured)};
  }
  void* handle = library->handle_;
  auto init = symbol<nvml::InitFn>(handle, "nvmlInit_v2");
  library->shutdown_ = symbol<nvml::ShutdownFn>(handle, "nvmlShutdown");
  library->error_string_ = symbol<nvml::ErrorStringFn>(handle, "nvmlErrorString");
  library->device_get_count = symbol<nvml::DeviceGetCountFn>(handle, "nvmlDeviceGetCount_v2");
  library->device_get_handle_by_index = symbol<nvml::DeviceGetHandleByIndexFn>(handle, "nvmlDeviceGetHandleByIndex_v2");
  library->device_get_name = symbol<nvml::DeviceGetStringFn>(handle, "nvmlDeviceGetName");
  library->device_get_uuid = symbol<nvml::DeviceGetStringFn>(handle, "nvmlDeviceGetUUID");
  library->device_get_power_usage = symbol<nvml::DeviceGetUnsignedFn>(handle, "nvmlDeviceGetPowerUsage");
  library->device_get_total_energy_consumption =
      symbol<nvml::DeviceGetEnergyFn>(handle, "nvmlDeviceGetTotalEnergyConsumption");
  library->device_get_utilization_rates = symbol<nvml::DeviceGetUtilizationFn>(handle, "nvmlDeviceGetUtilizationRates");
  library->device_get_memory_info = symbol<nvml::DeviceGetMemoryFn>(handle, "nvmlDeviceGetMemoryInfo");
  library->device_get_temperature = symbol<nvml::DeviceGetTemperatureFn>(handle, "nvmlDeviceGetTemperature");
  library->device_get_clock_info = symbol<nvml::DeviceGetClockFn>(handle, "nvmlDeviceGetClockInfo");
  library->device_get_power_management_limit =
      symbol<nvml::DeviceGetUnsignedFn>(handle, "nvmlDeviceGetPowerManagementLimit");

  const std::pair<const char*, bool> required[] = {
      {"nvmlInit_v2", init != nullptr},
      {"nvmlShutdown", library->shutdown_ != nullptr},
      {"nvmlErrorString", library->error_string_ != nullptr},
      {"nvmlDeviceGetCount_v2", library->device_get_count != nullptr},
      {"nvmlDeviceGetHandleByIndex_v2", library->device_get_handle_by_index != nullptr},
      {"nvmlDeviceGetName", library->device_get_name != nullptr},
      {"nvmlDeviceGetUUID", library->device_get_uuid != nullptr},
      {"nvmlDeviceGetPowerUsage", library->device_get_power_usage != nullptr},
  };
  for (const auto& [name, found] : required) {
    if (!found) {
      return Error{fmt::format("{} is not a usable NVML library (it lacks {}): update the NVIDIA driver, or set "
                               "WATTCAST_NVML_LIBRARY to the driver's libnvidia-ml.so.1; {}",
                               path, name, kNotMeasured)};
    }
  }

  const nvml::Return code = init();
  if (code != nvml::kSuccess) {
    return Error{fmt::format("NVML could not start ({}): {}; {}", library->error_string(code), init_failure_hint(code),
                             kNotMeasured)};
  }
  library->initialized_ = true;
  return library;
}

NvmlLibrary::~NvmlLibrary() {
  if (initialized_) shutdown_();
  if (handle_ != nullptr) ::dlclose(handle_);
}

std::string NvmlLibrary::error_string(nvml::Return code) const {
  const char* text = error_string_ ? error_string_(code) : nullptr;
  return text ? fmt::format("{} (NVML error {})", text, code) : fmt::format("NVML error {}", code);
}

}  // namespace wattcast
