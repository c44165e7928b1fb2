#pragma once
// Input checks shared by the fast and the naive matrix profile, so both reject the same inputs
// with the same message.

#include <cstddef>

#include "core/result.h"

namespace wattcast {

Status check_matrix_profile_window(size_t series_size, size_t window);

// ceil(window / 4), stumpy's default trivial-match exclusion zone.
size_t default_exclusion_zone(size_t window);

}  // namespace wattcast
