#include "core/csv.h"

#include "core/file_input.h"

#include <charconv>
#include <cmath>
#include <fstream>
#include <sstream>

namespace wattcast {

std::optional<double> parse_finite_double(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  if (text.empty()) return std::nullopt;
  if (text.front() == '+') text.remove_prefix(1);
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(value)) return std::nullopt;
  return value;
}

bool CsvRow::has(std::string_view column) const {
  auto index = schema_->column_index(column);
  return index && *index < cells_.size() && !cells_[*index].empty();
}

std::string CsvRow::text(std::string_view column) const {
  auto index = schema_->column_index(column);
  if (!index || *index >= cells_.size()) return {};
  return cells_[*index];
}

Error CsvRow::error(std::string_view column, const std::string& what) const {
  return Error::at(schema_->source, line_, std::string(column), what);
}

Result<double> CsvRow::number(std::string_view column) const {
  if (!schema_->column_index(column)) return error(column, "column is missing");
  std::string cell = text(column);
  if (cell.empty()) return error(column, "value is missing");
  auto value = parse_finite_double(cell);
  if (!value) return error(column, "expected a finite number, got '" + cell + "'");
  return *value;
}

Result<double> CsvRow::positive(std::string_view column) const {
  auto value = number(column);
  if (!value) return value;
  if (*value <= 0) return error(column, "must be positive, got '" + text(column) + "'");
  return value;
}

namespace {

// Splits CSV content into records of cells, tracking the line each record starts on.
struct RawRecord {
  std::vector<std::string> cells;
  int line;
};

Result<std::vector<RawRecord>> split_records(std::string_view content, const std::string& source) {
  std::vector<RawRecord> records;
  RawRecord current{{}, 1};
  std::string cell;
  bool in_quotes = false;
  bool cell_was_quoted = false;
  int line = 1;
  bool record_has_content = false;

  auto finish_cell = [&] {
    current.cells.push_back(std::move(cell));
    cell.clear();
    cell_was_quoted = false;
  };
  auto finish_record = [&] {
    finish_cell();
    if (record_has_content) records.push_back(std::move(current));
    current = RawRecord{{}, line + 1};
    record_has_content = false;
  };

  for (size_t i = 0; i < content.size(); ++i) {
    char c = content[i];
    if (in_quotes) {
      if (c == '"') {
        if (i + 1 < content.size() && content[i + 1] == '"') {
          cell.push_back('"');
          ++i;
        } else {
          in_quotes = false;
        }
      } else {
        if (c == '\n') ++line;
        cell.push_back(c);
      }
      continue;
    }
    switch (c) {
      case '"':
        if (!cell.empty() || cell_was_quoted) {
          return Error::at(source, line, "", "unexpected quote inside an unquoted cell");
        }
        in_quotes = true;
        cell_was_quoted = true;
        record_has_content = true;
        break;
      case ',':
        finish_cell();
        record_has_content = true;
        break;
      case '\r':
        break;
      case '\n':
        finish_record();
        ++line;
        break;
      case '\0':
        return Error::at(source, line, "", "binary data (NUL byte) in a CSV file");
      default:
        cell.push_back(c);
        record_has_content = true;
    }
  }
  if (in_quotes) return Error::at(source, current.line, "", "unterminated quoted cell");
  if (record_has_content || !cell.empty()) finish_record();
  return records;
}

}  // namespace

Result<CsvTable> CsvTable::read_file(const std::string& path) {
  auto content = read_input_file(path);
  if (!content) return content.error();
  return parse(*content, path);
}

Result<CsvTable> CsvTable::parse(std::string_view content, const std::string& source_name) {
  auto records = split_records(content, source_name);
  if (!records) return records.error();
  if (records->empty()) return Error::in_file(source_name, "empty CSV file (no header row)");

  auto schema = std::make_shared<CsvSchema>();
  schema->source = source_name;
  schema->header = (*records)[0].cells;
  for (auto& name : schema->header) {
    while (!name.empty() && (name.back() == ' ')) name.pop_back();
    while (!name.empty() && (name.front() == ' ')) name.erase(name.begin());
  }
  if (!schema->header.empty() && schema->header[0].rfind("\xEF\xBB\xBF", 0) == 0) schema->header[0].erase(0, 3);

  CsvTable table;
  table.schema_ = schema;

  for (size_t r = 1; r < records->size(); ++r) {
    auto& record = (*records)[r];
    if (record.cells.size() != schema->header.size()) {
      return Error::at(source_name, record.line, "",
                       "expected " + std::to_string(schema->header.size()) + " cells as in the header, got " +
                           std::to_string(record.cells.size()));
    }
    table.rows_.emplace_back(schema, std::move(record.cells), record.line);
  }
  return table;
}

std::optional<size_t> CsvSchema::column_index(std::string_view name) const {
  for (size_t i = 0; i < header.size(); ++i) {
    if (header[i] == name) return i;
  }
  return std::nullopt;
}

Status CsvTable::require_columns(const std::vector<std::string>& names) const {
  for (const auto& name : names) {
    if (!column_index(name)) return Error::at(source(), 1, name, "required column is missing from the header");
  }
  return ok_status();
}

}  // namespace wattcast
