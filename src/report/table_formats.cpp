#include "report/table_formats.h"

#include <fmt/format.h>

#include "report/text_table.h"

namespace wattcast {

namespace {

std::string latex_escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '_': case '%': case '&': case '#': case '$': case '{': case '}':
        out += '\\';
        out += c;
        break;
      case '\\': out += "\\textbackslash{}"; break;
      case '~': out += "\\textasciitilde{}"; break;
      case '^': out += "\\textasciicircum{}"; break;
      default: out += c;
    }
  }
  return out;
}

std::string markdown_cell(const std::string& text) {
  std::string out;
  for (char c : text) out += c == '|' ? std::string("\\|") : std::string(1, c);
  return out;
}

std::string render_one(const Table& t, const std::string& format, size_t max_width) {
  std::string out;
  if (format == "text") {
    TextTable table(t.header);
    for (const auto& row : t.rows) table.add_row(row);
    return (t.title.empty() ? "" : t.title + ":\n") + table.render(max_width);
  }
  if (format == "csv") {
    out += csv_line(t.header);
    for (const auto& row : t.rows) out += csv_line(row);
    return out;
  }
  if (format == "markdown") {
    if (!t.title.empty()) out += "**" + markdown_cell(t.title) + "**\n\n";
    auto line = [](const std::vector<std::string>& cells) {
      std::string l = "|";
      for (const auto& c : cells) {
        l += ' ';
        l += markdown_cell(c);
        l += " |";
      }
      return l + "\n";
    };
    out += line(t.header);
    out += "|";
    for (size_t i = 0; i < t.header.size(); ++i) out += i == 0 ? "---|" : "---:|";
    out += "\n";
    for (const auto& row : t.rows) out += line(row);
    return out;
  }
  // LaTeX, booktabs style: first column left, the numbers right.
  out += "\\begin{table}\n\\centering\n";
  if (!t.title.empty()) out += "\\caption{" + latex_escape(t.title) + "}\n";
  out += "\\begin{tabular}{l" + std::string(t.header.empty() ? 0 : t.header.size() - 1, 'r') + "}\n\\toprule\n";
  auto row_text = [](const std::vector<std::string>& cells) {
    std::string r;
    for (size_t i = 0; i < cells.size(); ++i) r += (i ? " & " : "") + latex_escape(cells[i]);
    return r + " \\\\\n";
  };
  out += row_text(t.header) + "\\midrule\n";
  for (const auto& row : t.rows) out += row_text(row);
  out += "\\bottomrule\n\\end{tabular}\n\\end{table}\n";
  return out;
}

}  // namespace

Result<std::string> render_tables(const std::vector<Table>& tables, const std::string& format, size_t max_width) {
  if (format != "text" && format != "csv" && format != "markdown" && format != "latex") {
    return Error{"--format: expected text, json, csv, markdown or latex, got '" + format + "'"};
  }
  if (format == "csv" && tables.size() != 1) return Error{fmt::format("--format csv: writes one table, and there are {}", tables.size())};
  std::string out;
  for (size_t i = 0; i < tables.size(); ++i) {
    if (i > 0) out += '\n';
    out += render_one(tables[i], format, max_width);
  }
  return out;
}

}  // namespace wattcast
