#pragma once
// The slice of NVML's C API that wattcast uses, declared from NVIDIA's documentation so that
// building wattcast needs neither the CUDA toolkit nor the driver: the library is dlopen'd at run
// time. The same declarations serve the fake libnvidia-ml built for the tests.

namespace wattcast::nvml {

using Return = int;  // nvmlReturn_t (a C enum: int-sized)
struct DeviceOpaque;
using Device = DeviceOpaque*;  // nvmlDevice_t

inline constexpr Return kSuccess = 0;
inline constexpr Return kErrorUninitialized = 1;
inline constexpr Return kErrorInvalidArgument = 2;
inline constexpr Return kErrorNotSupported = 3;
inline constexpr Return kErrorNoPermission = 4;
inline constexpr Return kErrorNotFound = 6;
inline constexpr Return kErrorDriverNotLoaded = 9;
inline constexpr Return kErrorGpuIsLost = 15;
inline constexpr Return kErrorLibRmVersionMismatch = 18;
inline constexpr Return kErrorUnknown = 999;

inline constexpr unsigned kClockSm = 1;         // nvmlClockType_t NVML_CLOCK_SM
inline constexpr unsigned kTemperatureGpu = 0;  // nvmlTemperatureSensors_t NVML_TEMPERATURE_GPU
// Large enough for every driver's names and UUIDs (NVML_DEVICE_NAME_V2_BUFFER_SIZE = 96,
// NVML_DEVICE_UUID_V2_BUFFER_SIZE = 96).
inline constexpr unsigned kStringBufferSize = 96;

struct Utilization {  // nvmlUtilization_t
  unsigned int gpu;     // percent of time a kernel was running
  unsigned int memory;  // percent of time device memory was read or written
};

struct Memory {  // nvmlMemory_t (v1), bytes
  unsigned long long total;
  unsigned long long free;
  unsigned long long used;
};

// Function pointer types of the C functions (C and C++ calling conventions agree on Linux).
using InitFn = Return (*)();
using ShutdownFn = Return (*)();
using ErrorStringFn = const char* (*)(Return);
using DeviceGetCountFn = Return (*)(unsigned int* count);
using DeviceGetHandleByIndexFn = Return (*)(unsigned int index, Device* device);
using DeviceGetStringFn = Return (*)(Device device, char* buffer, unsigned int length);  // name, UUID
using DeviceGetUnsignedFn = Return (*)(Device device, unsigned int* value);  // power mW, limit mW
using DeviceGetEnergyFn = Return (*)(Device device, unsigned long long* energy_mj);
using DeviceGetUtilizationFn = Return (*)(Device device, Utilization* utilization);
using DeviceGetMemoryFn = Return (*)(Device device, Memory* memory);
using DeviceGetTemperatureFn = Return (*)(Device device, unsigned int sensor, unsigned int* celsius);
using DeviceGetClockFn = Return (*)(Device device, unsigned int clock_type, unsigned int* mhz);

}  // namespace wattcast::nvml
