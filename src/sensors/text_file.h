#pragma once
// Small procfs/sysfs text files, read whole. Callers need the errno, not just "failed": an
// EACCES on a RAPL counter calls for a different fix than a missing file.

#include <string>

namespace wattcast {

struct TextFile {
  std::string text;
  int error_number = 0;  // 0 when read; else the errno that stopped the read
  bool ok() const { return error_number == 0; }
};

TextFile read_text_file(const std::string& path);

// The number a file such as energy_uj holds ("123456\n"); ok is false for anything but a number
// with surrounding whitespace.
struct UnsignedParse {
  bool ok = false;
  unsigned long long value = 0;
};
UnsignedParse parse_unsigned(const std::string& text);

}  // namespace wattcast
