#include "sensors/text_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <charconv>

namespace wattcast {

TextFile read_text_file(const std::string& path) {
  TextFile file;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    file.error_number = errno;
    return file;
  }
  // procfs and sysfs report a size of 0 or 4096 whatever the content: read until end of file.
  char buffer[4096];
  while (true) {
    const ssize_t got = ::read(fd, buffer, sizeof buffer);
    if (got == 0) break;
    if (got < 0) {
      if (errno == EINTR) continue;
      file.error_number = errno;
      file.text.clear();
      break;
    }
    file.text.append(buffer, static_cast<size_t>(got));
  }
  ::close(fd);
  return file;
}

UnsignedParse parse_unsigned(const std::string& text) {
  size_t start = 0;
  while (start < text.size() && std::isspace(static_cast<unsigned char>(text[start]))) ++start;
  UnsignedParse parsed;
  const char* first = text.data() + start;
  const char* last = text.data() + text.size();
  auto [end, error] = std::from_chars(first, last, parsed.value);
  if (error != std::errc() || end == first) return parsed;
  while (end < last && std::isspace(static_cast<unsigned char>(*end))) ++end;
  parsed.ok = end == last;
  return parsed;
}

}  // namespace wattcast
