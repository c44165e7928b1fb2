#pragma once
// NVIDIA GPUs through NVML (loaded at run time; no build-time dependency on the driver).
// Measured: board power, and energy from the GPU's total-energy counter where it has one
// (Volta and newer); older GPUs report power only and say so in their DeviceInfo::note.

#include <memory>
#include <optional>
#include <string>

#include "core/result.h"
#include "sensors/sensor.h"
#include "sensors/sensor_clock.h"

namespace wattcast {

inline constexpr const char* kDefaultNvmlLibrary = "libnvidia-ml.so.1";

// `library_path`: the libnvidia-ml to dlopen (the CLI passes $WATTCAST_NVML_LIBRARY if set).
// `cuda_visible_devices`: the job's CUDA_VISIBLE_DEVICES (see cuda_visible_devices.h); absent
// watches every GPU, empty watches none (the sensor then has no devices). An entry list that
// names no GPU at all is an error, since it is most likely a typo.
// Readings: power_w, utilization, temperature and SM clock at every sample; memory used (read
// every second) and the power limit (every minute) repeated from their last read; energy_j (the
// counter's delta since this call, where the GPU has one) only at anchors: the first sample, after
// read_counters_next(), and every 30 s, because each counter read costs ~4 ms of CPU. A device
// whose power or energy read fails in a sample is left out of it (a missed anchor is taken at its
// next good read); NVML itself failing (driver gone, GPU lost) is an error.
// `clock`: when each figure is due (tests step it); the GPU's own clock is the driver's.
Result<std::unique_ptr<Sensor>> make_nvml_sensor(const std::string& library_path = kDefaultNvmlLibrary,
                                                 const std::optional<std::string>& cuda_visible_devices = std::nullopt,
                                                 SecondsClock clock = steady_seconds_clock());

}  // namespace wattcast
