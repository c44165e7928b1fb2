#pragma once
// CPU power modelled from the CPU's TDP and the machine's utilization, for machines where RAPL
// cannot be read (no permission, a VM, a non-x86 CPU).
//
// Curve: power = TDP x sockets x (0.15 + 0.85 x utilization), utilization in [0, 1] being the
// machine-wide busy fraction of all CPUs from /proc/stat between two samples.
// Why this shape: package power rises roughly linearly with load (the assumption behind Green
// Algorithms' usage factor and CodeCarbon's load-based estimate), but an idle package does not
// draw 0 W: uncore, caches and memory controller stay powered. SPECpower results and RAPL
// traces of idle servers put the floor at about 10-20% of TDP; we take 15%. At full load the
// model gives TDP, the sustained all-core power the TDP is specified for. A fixed fraction such
// as CodeCarbon's "TDP x 50%" would ignore the load the job actually puts on the CPU.
//
// TDP: from data/cpus.csv (CodeCarbon) by the /proc/cpuinfo model name; a CPU missing from the
// table gets the table's median TDP (65 W per socket) and the note says so.

#include <memory>
#include <string>

#include "core/result.h"
#include "sensors/sensor.h"
#include "sensors/sensor_roots.h"

namespace wattcast {

inline constexpr double kCpuIdlePowerFraction = 0.15;

// Power of a CPU at `utilization` (0..1) under the curve above.
double modelled_cpu_power_w(double tdp_w, int sockets, double utilization);

// `cpus_csv`: data/cpus.csv. One device (kind "cpu", provenance modelled) whose readings carry
// power_w and utilization_pct.
Result<std::unique_ptr<Sensor>> make_cpu_model_sensor(const std::string& cpus_csv,
                                                       const std::string& proc_root = kDefaultProcRoot);

}  // namespace wattcast
