#include "report/text_table.h"

#include <algorithm>
#include <cctype>

namespace wattcast {

namespace {

constexpr size_t kColumnGap = 2;
constexpr size_t kNarrowestCut = 8;  // a text column is not cut below this many characters

bool is_continuation_byte(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

// Display width in code points, so "±" and "≥" do not skew the columns.
size_t display_width(const std::string& text) {
  return static_cast<size_t>(std::count_if(text.begin(), text.end(), [](char c) { return !is_continuation_byte(c); }));
}

// The first `width` code points, the last of them an ellipsis when anything was cut.
std::string cut_to_width(const std::string& text, size_t width) {
  if (display_width(text) <= width || width == 0) return text;
  std::string out;
  size_t points = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if (!is_continuation_byte(text[i]) && ++points == width) break;
    out += text[i];
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out + "…";
}

// "312 W", "-0.5", "1.2 [1.0–1.4]", "-" (no figure): a number; "resnet50", "--region ESP": text.
bool reads_as_number(const std::string& cell) {
  if (cell.empty() || cell == "-") return true;
  size_t i = (cell[0] == '-' || cell[0] == '+' || cell[0] == '<' || cell[0] == '>') ? 1 : 0;
  if (i < cell.size() && (cell[i] == '-' || cell[i] == '+')) ++i;
  return i < cell.size() && (std::isdigit(static_cast<unsigned char>(cell[i])) || (cell[i] == '.' && i + 1 < cell.size() &&
                                                                                     std::isdigit(static_cast<unsigned char>(cell[i + 1]))));
}

}  // namespace

std::string TextTable::render(size_t max_width) const {
  const size_t columns = header_.size();
  std::vector<size_t> widths(columns, 0);
  std::vector<bool> numeric(columns, true);
  auto widen = [&](const std::vector<std::string>& cells) {
    for (size_t i = 0; i < cells.size() && i < columns; ++i) widths[i] = std::max(widths[i], display_width(cells[i]));
  };
  widen(header_);
  for (const auto& row : rows_) {
    widen(row);
    for (size_t i = 0; i < row.size() && i < columns; ++i) numeric[i] = numeric[i] && reads_as_number(row[i]);
  }
  // A column without rows, or the first (the row's name), reads as text.
  if (columns > 0) numeric[0] = false;
  if (rows_.empty()) std::fill(numeric.begin(), numeric.end(), false);

  auto total_width = [&] {
    size_t total = 0;
    for (size_t w : widths) total += w;
    return total + kColumnGap * (columns > 0 ? columns - 1 : 0);
  };
  if (max_width > 0) {
    // Narrow the widest text column one character at a time: long names and commands give way
    // first, short labels keep their full text, and the first column (what a row is, often the
    // value to type) only when nothing else can.
    auto widest_text_column = [&](size_t first) {
      size_t widest = columns;
      for (size_t i = first; i < columns; ++i) {
        if (!numeric[i] && widths[i] > kNarrowestCut && (widest == columns || widths[i] > widths[widest])) widest = i;
      }
      return widest;
    };
    while (total_width() > max_width) {
      size_t widest = widest_text_column(1);
      if (widest == columns) widest = widest_text_column(0);
      if (widest == columns) break;
      --widths[widest];
    }
  }

  std::string out;
  auto emit = [&](const std::vector<std::string>& cells) {
    std::string line;
    for (size_t i = 0; i < columns; ++i) {
      const std::string cell = cut_to_width(i < cells.size() ? cells[i] : "", widths[i]);
      const std::string pad(widths[i] - display_width(cell), ' ');
      if (i > 0) line += std::string(kColumnGap, ' ');
      line += numeric[i] ? pad + cell : cell + pad;
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  };
  emit(header_);
  out += std::string(total_width(), '-') + "\n";
  for (const auto& row : rows_) emit(row);
  return out;
}

std::string csv_line(const std::vector<std::string>& cells) {
  std::string line;
  for (size_t i = 0; i < cells.size(); ++i) {
    if (i > 0) line += ',';
    const std::string& cell = cells[i];
    if (cell.find_first_of(",\"\n\r") == std::string::npos) {
      line += cell;
    } else {
      line += '"';
      for (char c : cell) {
        if (c == '"') line += '"';
        line += c;
      }
      line += '"';
    }
  }
  return line + "\n";
}

}  // namespace wattcast
