#include "stats/input_checks.h"

#include <cmath>

#include <fmt/format.h>

namespace wattcast::stats {

std::string group_label(const std::vector<std::string>& names, size_t index) {
  if (index < names.size()) return fmt::format("group '{}'", names[index]);
  return fmt::format("group {}", index + 1);
}

Status check_finite(std::string_view test, std::string_view what, std::span<const double> values) {
  for (size_t i = 0; i < values.size(); ++i) {
    if (!std::isfinite(values[i])) {
      return Error{fmt::format("{}: {} value {} is {}; the test needs finite numbers", test, what, i + 1,
                               std::isnan(values[i]) ? "NaN" : "infinite")};
    }
  }
  return ok_status();
}

Status check_groups(std::string_view test, const Groups& groups, const std::vector<std::string>& names, size_t min_groups,
                    size_t min_size) {
  if (groups.size() < min_groups) {
    return Error{fmt::format("{}: {} group{} given; the test needs at least {}", test, groups.size(), groups.size() == 1 ? "" : "s",
                             min_groups)};
  }
  for (size_t g = 0; g < groups.size(); ++g) {
    const std::string label = group_label(names, g);
    if (groups[g].size() < min_size) {
      return Error{fmt::format("{}: {} has {} value{}; the test needs at least {} per group", test, label, groups[g].size(),
                               groups[g].size() == 1 ? "" : "s", min_size)};
    }
    if (Status finite = check_finite(test, label, groups[g]); !finite) return finite.error();
  }
  return ok_status();
}

}  // namespace wattcast::stats
