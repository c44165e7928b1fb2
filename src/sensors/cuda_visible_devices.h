#pragma once
// Which GPUs a training job sees, from its CUDA_VISIBLE_DEVICES, mapped to NVML indices so that
// wattcast watches the same GPUs as the job.
//
// Follows CUDA's reading of the variable: comma-separated entries, each a device index or a GPU
// UUID ("GPU-8f2c...", the "GPU-" optional) or any prefix of one that names a single GPU; the
// first entry that names no GPU ends the list (CUDA ignores it and everything after it); an
// entry naming a GPU already listed is ignored.
//
// Caveat: an index means CUDA's ordinal, which equals NVML's index only under
// CUDA_DEVICE_ORDER=PCI_BUS_ID (CUDA's default order puts the fastest GPU first). UUIDs are
// unambiguous. MIG instances ("MIG-...") are not supported: such an entry names no GPU.

#include <optional>
#include <string>
#include <vector>

namespace wattcast {

struct VisibleDevices {
  std::vector<unsigned> nvml_indices;     // in the job's order
  std::optional<std::string> unmatched;   // the entry that ended the list, if one did
};

// `cuda_visible_devices` absent: every GPU. Empty: none. `uuids` are NVML's, by index.
VisibleDevices select_visible_devices(const std::optional<std::string>& cuda_visible_devices,
                                      const std::vector<std::string>& uuids);

}  // namespace wattcast
