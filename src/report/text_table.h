#pragma once
// Plain aligned text tables for terminal output.

#include <cstddef>
#include <string>
#include <vector>

namespace wattcast {

class TextTable {
 public:
  explicit TextTable(std::vector<std::string> header) : header_(std::move(header)) {}
  void add_row(std::vector<std::string> cells) { rows_.push_back(std::move(cells)); }
  // Columns of numbers (every cell starts with a digit, a sign or '-' alone) are right-aligned,
  // text columns left-aligned. With max_width > 0 the widest text columns are cut, with an
  // ellipsis, until the table fits (numbers are never cut; --format json has the full text).
  std::string render(size_t max_width = 0) const;

 private:
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> rows_;
};

// One CSV line (RFC 4180 quoting where needed), newline-terminated.
std::string csv_line(const std::vector<std::string>& cells);

}  // namespace wattcast
