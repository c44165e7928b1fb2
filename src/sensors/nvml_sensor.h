#pragma once
// NVIDIA GPUs through NVML (loaded at run time; no build-time dependency on the driver).
// Measured: board power, and energy from the GPU's total-energy counter where it has one
// (Volta and newer); older GPUs report power only and say so in their DeviceInfo::note.

#include <memory>
#include <optional>
#include <string>

#include "core/result.h"
#include "sensors/sensor.h"

namespace wattcast {

inline constexpr const char* kDefaultNvmlLibrary = "libnvidia-ml.so.1";

// `library_path`: the libnvidia-ml to dlopen (the CLI passes $WATTCAST_NVML_LIBRARY if set).
// `cuda_visible_devices`: the job's CUDA_VISIBLE_DEVICES (see cuda_visible_devices.h); absent
// watches every GPU, empty watches none (the sensor then has no devices). An entry list that
// names no GPU at all is an error, since it is most likely a typo.
// Readings: power_w, energy_j (counter delta since this call, where supported), utilization,
// memory used, temperature, SM clock, power limit. A device whose power or energy read fails in
// a tick is left out of that tick; NVML itself failing (driver gone, GPU lost) is an error.
Result<std::unique_ptr<Sensor>> make_nvml_sensor(const std::string& library_path = kDefaultNvmlLibrary,
                                                 const std::optional<std::string>& cuda_visible_devices = std::nullopt);

}  // namespace wattcast
