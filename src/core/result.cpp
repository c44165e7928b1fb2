#include "core/result.h"

namespace wattcast {

Error Error::at(const std::string& file, int line, const std::string& field, const std::string& what) {
  std::string message = file;
  if (line > 0) message += ":" + std::to_string(line);
  message += ": ";
  if (!field.empty()) message += "field '" + field + "': ";
  message += what;
  return Error{message};
}

Error Error::in_file(const std::string& file, const std::string& what) { return Error{file + ": " + what}; }

}  // namespace wattcast
