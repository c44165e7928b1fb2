#include "core/result.h"

#include <fmt/format.h>

namespace wattcast {

Error Error::at(const std::string& file, int line, const std::string& field, const std::string& what) {
  return Error{fmt::format("{}{}: {}{}", file, line > 0 ? fmt::format(":{}", line) : "", field.empty() ? "" : fmt::format("field '{}': ", field),
                           what)};
}

Error Error::in_file(const std::string& file, const std::string& what) { return Error{file + ": " + what}; }

}  // namespace wattcast
