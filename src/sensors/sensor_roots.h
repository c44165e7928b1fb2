#pragma once
// Where the sensors find the kernel's files by default. The CLI passes other roots
// (WATTCAST_SYSFS_ROOT, WATTCAST_PROC_ROOT) so that tests can point the sensors at fake trees.

namespace wattcast {

inline constexpr const char* kDefaultSysfsRoot = "/sys";
inline constexpr const char* kDefaultProcRoot = "/proc";

}  // namespace wattcast
