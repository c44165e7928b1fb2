// A stand-in for libnvidia-ml.so.1, built as a shared library so that the tests exercise the
// real dlopen path. It exports the NVML C functions wattcast uses and plays back a script named
// by $WATTCAST_FAKE_NVML_SCRIPT, read at the first nvmlInit_v2 (no script: no GPUs).
//
// It is as hard as the GPU it imitates, an H200 measured in tests/fixtures/h200/README.md:
// - calls cost what they cost there, in CPU time burnt by the calling thread: the energy counter
//   ~4 ms (the driver busy-waits), the power limit 170 us, memory info 6 us, every other read 2 us;
// - power and the energy counter change only every 100 ms: reading faster reads the same values;
// - the counter is the energy of the power trace (mJ), up to the last completed update period.
//
// Script: one directive per line, '#' starts a comment.
//   init_error <code>            nvmlInit_v2 fails with that nvmlReturn_t
//   gpu key=value; key=value...  one GPU, in NVML index order. Keys:
//     name, uuid                 strings
//     power_mw=a,b,c             power in the k-th update period (the last one repeats); default:
//                                a trace that varies around 250 W from period to period
//     power_trace=PATH           power from a CSV with t_s and power_w columns (an NVML trace),
//                                replayed from its first row, held at its last
//     update_ms=100              how often power and counter change
//     clock=wall                 the GPU's time since nvmlInit_v2; clock=power_calls advances it by
//                                one update period at each power read, for tests that step exactly
//     counter=yes|no             whether the GPU has a total-energy counter (default yes; no:
//                                NVML_ERROR_NOT_SUPPORTED, as on Pascal and older)
//     energy_start_mj=e          the counter's value at nvmlInit_v2
//     energy_cost_us, power_limit_cost_us, memory_cost_us, read_cost_us   call costs
//     fail_calls=3,4             those power calls (1-based) fail ...
//     fail_with=code             ... with this nvmlReturn_t (default 999, NVML_ERROR_UNKNOWN)
//     power_limit_mw, utilization_pct, memory_used_bytes, temperature_c, sm_clock_mhz
//
// Process-wide state is fine here: this library plays the part of a C library with its own.

#include <time.h>

#include <algorithm>
#include <cmath>
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
  std::vector<double> power_mw;  // per update period; empty: the default varying trace
  double update_s = 0.1;
  bool wall_clock = true;
  bool has_energy_counter = true;
  unsigned long long energy_start_mj = 0;
  double energy_cost_s = 4000e-6, power_limit_cost_s = 170e-6, memory_cost_s = 6e-6, read_cost_s = 2e-6;
  std::vector<unsigned> fail_calls;
  nvml::Return fail_with = nvml::kErrorUnknown;
  unsigned power_limit_mw = 700000;
  unsigned utilization_pct = 50;
  unsigned long long memory_used_bytes = 1ull << 30;
  unsigned temperature_c = 60;
  unsigned sm_clock_mhz = 1400;
  unsigned power_calls = 0;
  // Energy of the periods before `energy_periods`, mJ, extended as time goes on.
  double energy_mj = 0;
  long long energy_periods = 0;
};

struct FakeState {
  int init_count = 0;
  nvml::Return init_error = nvml::kSuccess;
  double init_s = 0;
  std::vector<FakeGpu> gpus;
};

FakeState& state() {
  static FakeState instance;
  return instance;
}

double clock_s(clockid_t clock) {
  timespec now{};
  clock_gettime(clock, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) * 1e-9;
}

// The driver's cost is CPU time, not waiting: burn it on the calling thread, so that a monitor
// on a busy machine pays it in full as it would on the GPU's host.
void burn_cpu(double seconds) {
  if (seconds <= 0) return;
  const double until = clock_s(CLOCK_THREAD_CPUTIME_ID) + seconds;
  while (clock_s(CLOCK_THREAD_CPUTIME_ID) < until) {
  }
}

std::string trimmed(const std::string& text) {
  const size_t first = text.find_first_not_of(" \t\r");
  if (first == std::string::npos) return "";
  return text.substr(first, text.find_last_not_of(" \t\r") - first + 1);
}

std::vector<std::string> split(const std::string& text, char separator) {
  std::vector<std::string> items;
  std::stringstream stream(text);
  std::string item;
  while (std::getline(stream, item, separator)) items.push_back(trimmed(item));
  return items;
}

std::vector<unsigned> unsigned_list(const std::string& text) {
  std::vector<unsigned> values;
  for (const auto& item : split(text, ',')) values.push_back(static_cast<unsigned>(std::stoul(item)));
  return values;
}

// Samples a recorded trace (t_s, power_w) once per update period, as the GPU would have shown it.
std::vector<double> periods_of_trace(const std::string& path, double update_s) {
  std::ifstream file(path);
  std::string line;
  if (!std::getline(file, line)) return {};
  const auto header = split(line, ',');
  const auto column = [&](const char* name) { return std::find(header.begin(), header.end(), name) - header.begin(); };
  const size_t t_column = static_cast<size_t>(column("t_s")), power_column = static_cast<size_t>(column("power_w"));
  std::vector<std::pair<double, double>> rows;
  while (std::getline(file, line)) {
    const auto fields = split(line, ',');
    if (fields.size() <= std::max(t_column, power_column) || fields[power_column].empty()) continue;
    rows.emplace_back(std::stod(fields[t_column]), std::stod(fields[power_column]));
  }
  std::vector<double> periods_mw;
  if (rows.empty()) return periods_mw;
  size_t row = 0;
  for (double t = rows.front().first; t <= rows.back().first; t += update_s) {
    while (row + 1 < rows.size() && rows[row + 1].first <= t) ++row;
    periods_mw.push_back(rows[row].second * 1000.0);
  }
  return periods_mw;
}

FakeGpu parse_gpu(const std::string& fields) {
  FakeGpu gpu;
  std::string trace_path;
  for (const auto& field : split(fields, ';')) {
    const size_t equals = field.find('=');
    if (equals == std::string::npos) continue;
    const std::string key = trimmed(field.substr(0, equals));
    const std::string value = trimmed(field.substr(equals + 1));
    if (key == "name") gpu.name = value;
    if (key == "uuid") gpu.uuid = value;
    if (key == "power_mw") {
      gpu.power_mw.clear();
      for (unsigned mw : unsigned_list(value)) gpu.power_mw.push_back(mw);
    }
    if (key == "power_trace") trace_path = value;
    if (key == "update_ms") gpu.update_s = std::stod(value) / 1000.0;
    if (key == "clock") gpu.wall_clock = value != "power_calls";
    if (key == "counter") gpu.has_energy_counter = value != "no";
    if (key == "energy_start_mj") gpu.energy_start_mj = std::stoull(value);
    if (key == "energy_cost_us") gpu.energy_cost_s = std::stod(value) * 1e-6;
    if (key == "power_limit_cost_us") gpu.power_limit_cost_s = std::stod(value) * 1e-6;
    if (key == "memory_cost_us") gpu.memory_cost_s = std::stod(value) * 1e-6;
    if (key == "read_cost_us") gpu.read_cost_s = std::stod(value) * 1e-6;
    if (key == "fail_calls") gpu.fail_calls = unsigned_list(value);
    if (key == "fail_with") gpu.fail_with = std::stoi(value);
    if (key == "power_limit_mw") gpu.power_limit_mw = static_cast<unsigned>(std::stoul(value));
    if (key == "utilization_pct") gpu.utilization_pct = static_cast<unsigned>(std::stoul(value));
    if (key == "memory_used_bytes") gpu.memory_used_bytes = std::stoull(value);
    if (key == "temperature_c") gpu.temperature_c = static_cast<unsigned>(std::stoul(value));
    if (key == "sm_clock_mhz") gpu.sm_clock_mhz = static_cast<unsigned>(std::stoul(value));
  }
  if (!trace_path.empty()) gpu.power_mw = periods_of_trace(trace_path, gpu.update_s);
  return gpu;
}

void load_script() {
  FakeState& s = state();
  s = FakeState{};
  s.init_s = clock_s(CLOCK_MONOTONIC);
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

// The update period the GPU is in now.
long long current_period(const FakeGpu& gpu) {
  if (!gpu.wall_clock) return gpu.power_calls == 0 ? 0 : gpu.power_calls - 1;
  return static_cast<long long>(std::floor((clock_s(CLOCK_MONOTONIC) - state().init_s) / gpu.update_s));
}

double power_in_period_mw(const FakeGpu& gpu, long long period) {
  if (!gpu.power_mw.empty()) return gpu.power_mw[std::min<size_t>(static_cast<size_t>(period), gpu.power_mw.size() - 1)];
  // Around 250 W, never the same two periods running, as a training GPU's readings are.
  const double k = static_cast<double>(period);
  return 1000.0 * (250.0 + 40.0 * std::sin(k / 7.0) + 2.5 * static_cast<double>((period * 7919) % 13 - 6));
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
  burn_cpu(gpu.read_cost_s);
  const unsigned call = ++gpu.power_calls;
  for (unsigned failing : gpu.fail_calls) {
    if (failing == call) return gpu.fail_with;
  }
  *power_mw = static_cast<unsigned>(std::lround(power_in_period_mw(gpu, current_period(gpu))));
  return nvml::kSuccess;
}

nvml::Return nvmlDeviceGetTotalEnergyConsumption(nvml::Device device, unsigned long long* energy_mj) {
  if (!is_valid(device)) return nvml::kErrorInvalidArgument;
  FakeGpu& gpu = *gpu_of(device);
  burn_cpu(gpu.energy_cost_s);
  if (!gpu.has_energy_counter) return nvml::kErrorNotSupported;
  // Up to the start of the current period: the counter, like power, moves once per period.
  for (const long long period = current_period(gpu); gpu.energy_periods < period; ++gpu.energy_periods) {
    gpu.energy_mj += power_in_period_mw(gpu, gpu.energy_periods) * gpu.update_s;
  }
  *energy_mj = gpu.energy_start_mj + static_cast<unsigned long long>(std::llround(gpu.energy_mj));
  return nvml::kSuccess;
}

nvml::Return nvmlDeviceGetUtilizationRates(nvml::Device device, nvml::Utilization* utilization) {
  if (!is_valid(device)) return nvml::kErrorInvalidArgument;
  burn_cpu(gpu_of(device)->read_cost_s);
  utilization->gpu = gpu_of(device)->utilization_pct;
  utilization->memory = gpu_of(device)->utilization_pct / 2;
  return nvml::kSuccess;
}

nvml::Return nvmlDeviceGetMemoryInfo(nvml::Device device, nvml::Memory* memory) {
  if (!is_valid(device)) return nvml::kErrorInvalidArgument;
  burn_cpu(gpu_of(device)->memory_cost_s);
  memory->used = gpu_of(device)->memory_used_bytes;
  memory->total = memory->used * 2;
  memory->free = memory->total - memory->used;
  return nvml::kSuccess;
}

nvml::Return nvmlDeviceGetTemperature(nvml::Device device, unsigned int sensor, unsigned int* celsius) {
  if (!is_valid(device) || sensor != nvml::kTemperatureGpu) return nvml::kErrorInvalidArgument;
  burn_cpu(gpu_of(device)->read_cost_s);
  *celsius = gpu_of(device)->temperature_c;
  return nvml::kSuccess;
}

nvml::Return nvmlDeviceGetClockInfo(nvml::Device device, unsigned int clock_type, unsigned int* mhz) {
  if (!is_valid(device) || clock_type != nvml::kClockSm) return nvml::kErrorInvalidArgument;
  burn_cpu(gpu_of(device)->read_cost_s);
  *mhz = gpu_of(device)->sm_clock_mhz;
  return nvml::kSuccess;
}

nvml::Return nvmlDeviceGetPowerManagementLimit(nvml::Device device, unsigned int* limit_mw) {
  if (!is_valid(device)) return nvml::kErrorInvalidArgument;
  burn_cpu(gpu_of(device)->power_limit_cost_s);
  *limit_mw = gpu_of(device)->power_limit_mw;
  return nvml::kSuccess;
}

}  // extern "C"
