#include "core/file_input.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace wattcast {

Result<std::string> read_input_file(const std::string& path) {
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (status.type() == std::filesystem::file_type::not_found) return Error::in_file(path, "no such file");
  if (status.type() == std::filesystem::file_type::directory) return Error::in_file(path, "is a directory, not a file");
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error::in_file(path, std::string("cannot open file: ") + std::strerror(errno));
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

}  // namespace wattcast
