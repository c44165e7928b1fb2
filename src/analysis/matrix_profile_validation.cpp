#include "analysis/matrix_profile_validation.h"

#include <string>

namespace wattcast {

Status check_matrix_profile_window(size_t series_size, size_t window) {
  if (window < 3) {
    return Error{"matrix profile: the window must be at least 3 samples, got " + std::to_string(window)};
  }
  if (window > series_size / 2) {
    return Error{"matrix profile: the window (" + std::to_string(window) + " samples) must be at most half the series (" +
                 std::to_string(series_size) + " samples)"};
  }
  return ok_status();
}

size_t default_exclusion_zone(size_t window) { return (window + 3) / 4; }

}  // namespace wattcast
