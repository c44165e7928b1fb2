#pragma once
// CPU package and DRAM energy from RAPL counters through Linux powercap
// (<sysfs_root>/class/powercap/intel-rapl:*; AMD Zen exposes its counters there too).
//
// Watched zones: every top-level zone named "package-N" and its "dram" subzone. Skipped on
// purpose: "psys" (the whole platform, which already contains the packages), "core"/"uncore"
// (parts of their package) and intel-rapl-mmio (the same package counter read another way), so
// that summing the devices does not count anything twice.

#include <memory>
#include <string>

#include "core/result.h"
#include "sensors/sensor.h"
#include "sensors/sensor_clock.h"
#include "sensors/sensor_roots.h"

namespace wattcast {

// Readings: energy_j since this call (counter wrap-around handled, assuming less than one wrap
// between samples: at least minutes even for 300 W packages) and power_w over the time since the
// zone's previous reading. Unreadable counters (root-only on kernels patched for
// CVE-2020-8694) are an error saying how to grant read access.
Result<std::unique_ptr<Sensor>> make_rapl_sensor(const std::string& sysfs_root = kDefaultSysfsRoot,
                                                 SecondsClock clock = steady_seconds_clock());

}  // namespace wattcast
