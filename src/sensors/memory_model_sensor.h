#pragma once
// Memory power modelled as Green Algorithms does: 0.3725 W per GB of memory (Lannelongue et al.,
// Adv. Sci. 2021), GB meaning GiB of installed RAM (MemTotal in /proc/meminfo).
//
// Why installed RAM and not the job's resident memory: DRAM is refreshed and kept powered
// whether or not pages are in use, so its power follows capacity, not occupancy; Green
// Algorithms likewise charges the memory available to the job. It also matches RAPL's DRAM
// zone, which measures all of the machine's DRAM. On a shared machine this charges the job for
// all of the RAM: a conservative figure. GiB rather than 10^9 bytes because RAM is sold in
// binary sizes, so a "64 GB" machine counts as 64 (MemTotal is a little below the installed size).

#include <memory>
#include <string>

#include "core/result.h"
#include "sensors/sensor.h"
#include "sensors/sensor_roots.h"

namespace wattcast {

inline constexpr double kMemoryWattsPerGib = 0.3725;

// One device (kind "memory", provenance modelled): constant power_w; memory_used_bytes is
// MemTotal - MemAvailable at each sample.
Result<std::unique_ptr<Sensor>> make_memory_model_sensor(const std::string& proc_root = kDefaultProcRoot);

}  // namespace wattcast
