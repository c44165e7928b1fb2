#pragma once
// Input checks shared by the tests in src/stats: every test refuses non-finite values and
// groups too small for it with an error that names the test, the group and the reason, so the
// caller can report "skipped: ..." instead of printing a NaN.

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace wattcast::stats {

// One sample per group (a factor level's values of a metric).
using Groups = std::vector<std::vector<double>>;

// How an error names group `index`: the caller's name if given ("group 'fp16'"), else its
// 1-based position ("group 2").
std::string group_label(const std::vector<std::string>& names, size_t index);

// "<test>: <what> value 4 is NaN; the test needs finite numbers" for the first non-finite value.
Status check_finite(std::string_view test, std::string_view what, std::span<const double> values);

// At least `min_groups` groups, each with at least `min_size` finite values; `names` (may be
// empty) label the groups in messages.
Status check_groups(std::string_view test, const Groups& groups, const std::vector<std::string>& names, size_t min_groups,
                    size_t min_size);

}  // namespace wattcast::stats
