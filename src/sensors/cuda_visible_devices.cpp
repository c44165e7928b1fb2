#include "sensors/cuda_visible_devices.h"

#include <algorithm>
#include <cctype>
#include <string_view>

namespace wattcast {

namespace {

std::string_view trimmed(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
  return text;
}

bool starts_with_ignoring_case(std::string_view text, std::string_view prefix) {
  if (prefix.size() > text.size()) return false;
  return std::equal(prefix.begin(), prefix.end(), text.begin(), [](char a, char b) {
    return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
  });
}

std::string_view without_gpu_prefix(std::string_view text) {
  if (starts_with_ignoring_case(text, "GPU-")) text.remove_prefix(4);
  return text;
}

// The NVML index an entry names, if exactly one.
std::optional<unsigned> resolve_entry(std::string_view entry, const std::vector<std::string>& uuids) {
  const bool is_index = !entry.empty() && std::all_of(entry.begin(), entry.end(), [](char c) {
    return std::isdigit(static_cast<unsigned char>(c)) != 0;
  });
  if (is_index) {
    if (entry.size() > 9) return std::nullopt;
    const unsigned index = static_cast<unsigned>(std::stoul(std::string(entry)));
    if (index < uuids.size()) return index;
    return std::nullopt;
  }
  const std::string_view wanted = without_gpu_prefix(entry);
  if (wanted.empty() || starts_with_ignoring_case(entry, "MIG-")) return std::nullopt;
  std::optional<unsigned> found;
  for (unsigned i = 0; i < uuids.size(); ++i) {
    if (starts_with_ignoring_case(without_gpu_prefix(uuids[i]), wanted)) {
      if (found) return std::nullopt;  // ambiguous prefix
      found = i;
    }
  }
  return found;
}

}  // namespace

VisibleDevices select_visible_devices(const std::optional<std::string>& cuda_visible_devices,
                                      const std::vector<std::string>& uuids) {
  VisibleDevices visible;
  if (!cuda_visible_devices) {
    for (unsigned i = 0; i < uuids.size(); ++i) visible.nvml_indices.push_back(i);
    return visible;
  }
  std::string_view rest = *cuda_visible_devices;
  if (trimmed(rest).empty()) return visible;
  while (true) {
    const size_t comma = rest.find(',');
    const std::string_view entry = trimmed(rest.substr(0, comma));
    const auto index = resolve_entry(entry, uuids);
    if (!index) {
      visible.unmatched = std::string(entry);
      break;
    }
    if (std::find(visible.nvml_indices.begin(), visible.nvml_indices.end(), *index) == visible.nvml_indices.end()) {
      visible.nvml_indices.push_back(*index);
    }
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  return visible;
}

}  // namespace wattcast
