#pragma once
// The same tables as plain text, CSV, Markdown or LaTeX (the study published LaTeX tables):
// commands build their tables once and let the user pick the format.

#include <string>
#include <vector>

#include "core/result.h"

namespace wattcast {

struct Table {
  std::string title;
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
};

// "text", "markdown" or "latex": several tables are separated by a blank line, each under its
// title; text tables fit `max_width` columns (0: no limit). "csv": exactly one table, with no
// title, so the file loads as CSV (pick the table first).
Result<std::string> render_tables(const std::vector<Table>& tables, const std::string& format, size_t max_width = 0);

}  // namespace wattcast
