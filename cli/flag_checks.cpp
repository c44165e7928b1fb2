#include "cli/flag_checks.h"

#include <charconv>

namespace wattcast::cli {

CLI::Validator whole_number(int64_t min, int64_t max) {
  return CLI::Validator(
      [min, max](std::string& text) -> std::string {
        int64_t value = 0;
        const char* end = text.data() + text.size();
        const auto [ptr, ec] = std::from_chars(text.data(), end, value);
        if (ec != std::errc() || ptr != end || value < min || value > max) {
          return "expected a whole number from " + std::to_string(min) + " to " + std::to_string(max) + ", got '" + text + "'";
        }
        return {};
      },
      "INT");
}

}  // namespace wattcast::cli
