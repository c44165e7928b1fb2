#pragma once
// Plain aligned text tables for terminal output.

#include <string>
#include <vector>

namespace wattcast {

class TextTable {
 public:
  explicit TextTable(std::vector<std::string> header) : header_(std::move(header)) {}
  void add_row(std::vector<std::string> cells) { rows_.push_back(std::move(cells)); }
  // Columns after the first are right-aligned (they hold numbers).
  std::string render() const;

 private:
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> rows_;
};

// One CSV line (RFC 4180 quoting where needed), newline-terminated.
std::string csv_line(const std::vector<std::string>& cells);

}  // namespace wattcast
