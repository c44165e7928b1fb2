#include "cli/output.h"

#include <cstdio>

#include <fmt/format.h>

#include "cli/cli_error.h"
#include "core/output_file.h"

namespace wattcast::cli {

void emit(const std::string& content, const std::string& out_path) { check(write_output_file(out_path.empty() ? "-" : out_path, content)); }

void check_format(const std::string& format, std::initializer_list<const char*> allowed) {
  std::string list;
  for (const char* name : allowed) {
    if (format == name) return;
    list += (list.empty() ? "" : ", ") + std::string(name);
  }
  throw CliError("--format: unknown format '" + format + "' (expected one of: " + list + ")");
}

std::string format_number(double value, int significant) { return fmt::format("{:.{}g}", value, significant); }

}  // namespace wattcast::cli
