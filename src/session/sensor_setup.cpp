#include "session/sensor_setup.h"

#include <cstdlib>

#include "sensors/cpu_model_sensor.h"
#include "sensors/memory_model_sensor.h"
#include "sensors/nvml_sensor.h"
#include "sensors/process_tree_sensor.h"
#include "sensors/rapl_sensor.h"
#include "sensors/replay_sensor.h"
#include "sensors/sensor_roots.h"

namespace wattcast {

namespace {

std::string env_or(const char* name, const std::string& fallback) {
  const char* value = std::getenv(name);
  return value && *value ? value : fallback;
}

}  // namespace

Result<SensorSetup> create_sensors(const SensorRequest& request) {
  SensorSetup setup;
  if (!request.replay_trace.empty()) {
    auto replay = ReplaySensor::open(request.replay_trace);
    if (!replay) return replay.error();
    setup.sensors.push_back(std::move(replay).value());
  } else {
    std::optional<std::string> devices = request.devices;
    if (!devices) {
      if (const char* visible = std::getenv("CUDA_VISIBLE_DEVICES")) devices = visible;
    }
    auto nvml = make_nvml_sensor(env_or("WATTCAST_NVML_LIBRARY", kDefaultNvmlLibrary), devices);
    if (nvml) {
      setup.sensors.push_back(std::move(nvml).value());
    } else {
      setup.notices.push_back("GPU: " + nvml.error().message);
    }
  }

  const std::string sysfs = env_or("WATTCAST_SYSFS_ROOT", kDefaultSysfsRoot);
  const std::string proc = env_or("WATTCAST_PROC_ROOT", kDefaultProcRoot);
  auto rapl = make_rapl_sensor(sysfs);
  if (rapl) {
    setup.sensors.push_back(std::move(rapl).value());
  } else {
    auto model = make_cpu_model_sensor(request.data_dir + "/cpus.csv", proc);
    if (model) {
      setup.notices.push_back("CPU: " + rapl.error().message + "; CPU power is modelled (TDP x utilization) and flagged as such");
      setup.sensors.push_back(std::move(model).value());
    } else {
      setup.notices.push_back("CPU: " + rapl.error().message + "; and no CPU model either: " + model.error().message);
    }
  }
  auto memory = make_memory_model_sensor(proc);
  if (memory) {
    setup.sensors.push_back(std::move(memory).value());
  } else {
    setup.notices.push_back("memory: " + memory.error().message);
  }
  return setup;
}

Result<std::unique_ptr<Sensor>> create_process_sensor(pid_t root) {
  return make_process_tree_sensor(root, env_or("WATTCAST_PROC_ROOT", kDefaultProcRoot));
}

}  // namespace wattcast
