#pragma once
// A small RFC 4180 CSV reader that remembers where every row came from, so that a bad value
// can be reported as file:line:field.

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace wattcast {

// What every row of one table shares: where it came from and its column names.
struct CsvSchema {
  std::string source;
  std::vector<std::string> header;
  std::optional<size_t> column_index(std::string_view name) const;
};

class CsvRow {
 public:
  CsvRow(std::shared_ptr<const CsvSchema> schema, std::vector<std::string> cells, int line)
      : schema_(std::move(schema)), cells_(std::move(cells)), line_(line) {}

  int line() const { return line_; }
  bool has(std::string_view column) const;
  // The raw text of a column; empty when the table has no such column.
  std::string text(std::string_view column) const;
  // A finite number; error names the file, line and column.
  Result<double> number(std::string_view column) const;
  // A finite number > 0.
  Result<double> positive(std::string_view column) const;
  Error error(std::string_view column, const std::string& what) const;

 private:
  std::shared_ptr<const CsvSchema> schema_;
  std::vector<std::string> cells_;
  int line_;
};

class CsvTable {
 public:
  static Result<CsvTable> read_file(const std::string& path);
  static Result<CsvTable> parse(std::string_view content, const std::string& source_name);

  const std::string& source() const { return schema_->source; }
  const std::vector<std::string>& header() const { return schema_->header; }
  const std::vector<CsvRow>& rows() const { return rows_; }
  std::optional<size_t> column_index(std::string_view name) const { return schema_->column_index(name); }
  // Error unless every named column is present.
  Status require_columns(const std::vector<std::string>& names) const;

 private:
  CsvTable() = default;

  std::shared_ptr<const CsvSchema> schema_;
  std::vector<CsvRow> rows_;
};

// Parses a whole cell as a finite double (no trailing junk, no NaN/inf).
std::optional<double> parse_finite_double(std::string_view text);

}  // namespace wattcast
