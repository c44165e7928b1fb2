// A stand-in for libnvidia-ml.so.1, built as a shared library so that the tests exercise the
// real dlopen path. It exports the NVML C functions wattcast uses and plays back a script named
// by $WATTCAST_FAKE_NVML_SCRIPT, read at the first nvmlInit_v2 (no script: no GPUs).
//
// Script: one directive per line, '#' starts a comment.
//   init_error <code>            nvmlInit_v2 fails with that nvmlReturn_t
//   gpu key=value; key=value...  one GPU, in NVML index order. Keys:
//     name, uuid                 strings
//     power_mw=a,b,c             the n-th nvmlDeviceGetPowerUsage call returns the n-th value
//                                (the last one repeats)
//     energy_step_mj=s           the GPU has a total-energy counter reading
//     energy_start_mj=e          e + s * (power calls so far); without energy_step_mj the
//                                counter call returns NVML_ERROR_NOT_SUPPORTED
//     fail_calls=3,4             those power calls (1-based) fail ...
//     fail_with=code             ... with this nvmlReturn_t (default 999, NVML_ERROR_UNKNOWN)
//     power_limit_mw, utilization_pct, memory_used_bytes, temperature_c, sm_clock_mhz
//
// Process-wide state is fine here: this library plays the part of a C library with its own.

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "sensors/nvml_api.h"

namespace {

namespace nvml = wattcast::nvml;

struct FakeGpu {
  std::string name = "Fake GPU";
  std::string uuid = "GPU-00000000-0000-0000-0000-000000000000";
  std::vector<unsigned> power_mw = {100000};
  bool has_energy_counter = false;
  unsigned long long energy_start_mj = 0;
  unsigned long long energy_step_mj = 0;
  std::vector<unsigned> fail_calls;
  nvml::Return fail_with = nvml::kErrorUnknown;
  unsigned power_limit_mw = 300000;
  unsigned utilization_pct = 50;
  unsigned long long memory_used_bytes = 1ull << 30;
  unsigned temperature_c = 60;
  unsigned sm_clock_mhz = 1400;
  unsigned power_calls = 0;
};

struct FakeState {
  int init_count = 0;
  nvml::Return init_error = nvml::kSuccess;
  std::vector<FakeGpu> gpus;
};

FakeState& state() {
  static FakeState instance;
  return instance;
}

std::string trimmed(const std::string& text) {
  const size_t first = text.find_first_not_of(" \t\r");
  if (first == std::string::npos) return "";
  return text.substr(first, text.find_last_not_of(" \t\r") - first + 1);
}

std::vector<unsigned> unsigned_list(const std::string& text) {
  std::vector<unsigned> values;
  std::stringstream stream(text);
  std::string item;
  while (std::getline(stream, item, ',')) values.push_back(static_cast<unsigned>(std::stoul(item)));
  return values;
}

FakeGpu parse_gpu(const std::string& fields) {
  FakeGpu gpu;
  std::stringstream stream(fields);
  std::string field;
  while (std::getline(stream, field, ';')) {
    const size_t equals = field.find('=');
    if (equals == std::string::npos) continue;
    const std::string key = trimmed(field.substr(0, equals));
    const std::string value = trimmed(field.substr(equals + 1));
    if (key == "name") gpu.name = value;
    if (key == "uuid") gpu.uuid = value;
    if (key == "power_mw") gpu.power_mw = unsigned_list(value);
    if (key == "energy_start_mj") gpu.energy_start_mj = std::stoull(value);
    if (key == "energy_step_mj") {
      gpu.has_energy_counter = true;
      gpu.energy_step_mj = std::stoull(value);
    }
    if (key == "fail_calls") gpu.fail_calls = unsigned_list(value);
    if (key == "fail_with") gpu.fail_with = std::stoi(value);
    if (key == "power_limit_mw") gpu.power_limit_mw = static_cast<unsigned>(std::stoul(value));
    if (key == "utilization_pct") gpu.utilization_pct = static_cast<unsigned>(std::stoul(value));
    if (key == "memory_used_bytes") gpu.memory_used_bytes = std::stoull(value);
    if (key == "temperature_c") gpu.temperature_c = static_cast<unsigned>(std::stoul(value));
    if (key == "sm_clock_mhz") gpu.sm_clock_mhz = static_cast<unsigned>(std::stoul(value));
  }
  return gpu;
}

void load_script() {
  FakeState& s = state();
  s = FakeState{};
  const char* path = std::getenv("WATTCAST_FAKE_NVML_SCRIPT");
  if (path == nullptr) return;
  std::ifstream script(path);
  std::string line;
  while (std::getline(script, line)) {
    line = trimmed(line.substr(0, line.find('#')));
    if (line.rfind("init_error", 0) == 0) s.init_error = std::stoi(line.substr(10));
    if (line.rfind("gpu", 0) == 0) s.gpus.push_back(parse_gpu(line.substr(3)));
  }
}

FakeGpu* gpu_of(nvml::Device device) { return reinterpret_cast<FakeGpu*>(device); }

bool is_valid(nvml::Device device) {
  if (state().init_count == 0) return false;
  for (auto& gpu : state().gpus) {
    if (&gpu == gpu_of(device)) return true;
  }
  return false;
}

nvml::Return copy_string(const std::string& text, char* buffer, unsigned length) {
  if (text.size() + 1 > length) return 7;  // NVML_ERROR_INSUFFICIENT_SIZE
  std::memcpy(buffer, text.c_str(), text.size() + 1);
  return nvml::kSuccess;
}

}  // namespace

extern "C" {

nvml::Return nvmlInit_v2() {
  FakeState& s = state();
  if (s.init_count == 0) load_script();
  if (s.init_error != nvml::kSuccess) return s.init_error;
  ++s.init_count;
  return nvml::kSuccess;
}

nvml::Return nvmlShutdown() {
  if (state().init_count == 0) return nvml::kErrorUninitialized;
  --state().init_count;
  return nvml::kSuccess;
}

const char* nvmlErrorString(nvml::Return code) {
  switch (code) {
    case nvml::kSuccess: return "Success";
    case nvml::kErrorUninitialized: return "Uninitialized";
    case nvml::kErrorNotSupported: return "Not Supported";
    case nvml::kErrorDriverNotLoaded: return "Driver Not Loaded";
    case nvml::kErrorGpuIsLost: return "GPU is lost";
    default: return "Unknown Error";
  }
}

nvml::Return nvmlDeviceGetCount_v2(unsigned int* count) {
  if (state().init_count == 0) return nvml::kErrorUninitialized;
  *count = static_cast<unsigned>(state().gpus.size());
  return nvml::kSuccess;
}

nvml::Return nvmlDeviceGetHandleByIndex_v2(unsigned int index, nvml::Device* device) {
  if (state().init_count == 0) return nvml::kErrorUninitialized;
  if (index >= state().gpus.size()) return nvml::kErrorInvalidArgument;
  *device = reinterpret_cast<nvml::Device>(&state().gpus[index]);
  return nvml::kSuccess;
}

nvml::Return nvmlDeviceGetName(nvml::Device device, char* name, unsigned int length) {
  if (!is_valid(device)) return nvml::kErrorInvalidArgument;
  return copy_string(gpu_of(device)->name, name, length);
}

nvml::Return nvmlDeviceGetUUID(nvml::Device device, char* uuid, unsigned int length) {
  if (!is_valid(device)) return nvml::kErrorInvalidArgument;
  return copy_string(gpu_of(device)->uuid, uuid, length);
}

nvml::Return nvmlDeviceGetPowerUsage(nvml::Device device, unsigned int* power_mw) {
  if (!is_valid(device)) return nvml::kErrorInvalidArgument;
  FakeGpu& gpu = *gpu_of(device);
  const unsigned call = ++gpu.power_calls;
  for (unsigned failing : gpu.fail_calls) {
    if (failing == call) return gpu.fail_with;
  }
  *power_mw = gpu.power_mw[std::min<size_t>(call - 1, gpu.power_mw.size() - 1)];
  return nvml::kSuccess;
}

nvml::Return nvmlDeviceGetTotalEnergyConsumption(nvml::Device device, unsigned long long* energy_mj) {
  if (!is_valid(device)) return nvml::kErrorInvalidArgument;
  const FakeGpu& gpu = *gpu_of(device);
  if (!gpu.has_energy_counter) return nvml::kErrorNotSupported;
  *energy_mj = gpu.energy_start_mj + gpu.energy_step_mj * gpu.power_calls;
  return nvml::kSuccess;
}

nvml::Return nvmlDeviceGetUtilizationRates(nvml::Device device, nvml::Utilization* utilization) {
  if (!is_valid(device)) return nvml::kErrorInvalidArgument;
  utilization->gpu = gpu_of(device)->utilization_pct;
  utilization->memory = gpu_of(device)->utilization_pct / 2;
  return nvml::kSuccess;
}

nvml::Return nvmlDeviceGetMemoryInfo(nvml::Device device, nvml::Memory* memory) {
  if (!is_valid(device)) return nvml::kErrorInvalidArgument;
  memory->used = gpu_of(device)->memory_used_bytes;
  memory->total = memory->used * 2;
  memory->free = memory->total - memory->used;
  return nvml::kSuccess;
}

nvml::Return nvmlDeviceGetTemperature(nvml::Device device, unsigned int sensor, unsigned int* celsius) {
  if (!is_valid(device) || sensor != nvml::kTemperatureGpu) return nvml::kErrorInvalidArgument;
  *celsius = gpu_of(device)->temperature_c;
  return nvml::kSuccess;
}

nvml::Return nvmlDeviceGetClockInfo(nvml::Device device, unsigned int clock_type, unsigned int* mhz) {
  if (!is_valid(device) || clock_type != nvml::kClockSm) return nvml::kErrorInvalidArgument;
  *mhz = gpu_of(device)->sm_clock_mhz;
  return nvml::kSuccess;
}

nvml::Return nvmlDeviceGetPowerManagementLimit(nvml::Device device, unsigned int* limit_mw) {
  if (!is_valid(device)) return nvml::kErrorInvalidArgument;
  *limit_mw = gpu_of(device)->power_limit_mw;
  return nvml::kSuccess;
}

}  // extern "C"
