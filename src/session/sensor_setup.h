#pragma once
// Which sensors a measurement uses: every one that works on this machine, each falling back
// to a documented model where its hardware counter cannot be read, with one notice per problem
// saying what is missing and how to fix it.

#include <sys/types.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "sensors/sensor.h"

namespace wattcast {

struct SensorRequest {
  std::optional<std::string> devices;  // CUDA_VISIBLE_DEVICES-style; absent = the variable, else all
  std::string replay_trace;            // play this trace instead of reading GPUs
  std::string data_dir;                // for the CPU TDP table
};

struct SensorSetup {
  std::vector<std::unique_ptr<Sensor>> sensors;
  std::vector<std::string> notices;  // printed once at start
};

// Roots come from WATTCAST_NVML_LIBRARY, WATTCAST_SYSFS_ROOT and WATTCAST_PROC_ROOT when set, so
// tests can point the sensors at fakes.
Result<SensorSetup> create_sensors(const SensorRequest& request);

// The command's own process tree (CPU time, memory), once it has a pid.
Result<std::unique_ptr<Sensor>> create_process_sensor(pid_t root);

}  // namespace wattcast
