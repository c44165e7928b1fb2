#pragma once
// The CPU time and resident memory of a process and all its descendants, read from /proc: what
// the training job itself used, as opposed to the whole machine's power from the other sensors.

#include <sys/types.h>

#include <memory>
#include <string>

#include "core/result.h"
#include "sensors/sensor.h"
#include "sensors/sensor_clock.h"
#include "sensors/sensor_roots.h"

namespace wattcast {

// One device (kind "process", provenance measured). Each reading carries:
// - cpu_time_s: user + system time of every live process in the tree, plus the time of the
//   descendants they have already waited for (cutime/cstime), so CPU time does not drop when a
//   data-loader worker exits. A process orphaned out of the tree takes its time with it.
// - rss_bytes: the sum of the processes' resident sets; pages shared between them (fork,
//   shared libraries) count once per process, so this is an upper bound.
// - power_w: NaN (this sensor measures no power).
// The tree is found through <proc>/PID/task/TID/children where the kernel has them, at each
// sample. Without them, by following the parent links in every <proc>/*/stat: that scan of the
// whole machine costs ~0.3 ms, most of an idle monitor's CPU, so it runs every 5 s (`clock`) and
// the samples in between read only the processes it found (a new descendant counts from the next
// scan; the time of one that ended meanwhile is in its parent's cutime once reaped). Processes
// that exit meanwhile are skipped. Once the root itself is gone the sensor returns no reading.
// Error: the root process does not exist.
Result<std::unique_ptr<Sensor>> make_process_tree_sensor(pid_t root_pid, const std::string& proc_root = kDefaultProcRoot,
                                                         SecondsClock clock = steady_seconds_clock());

}  // namespace wattcast
