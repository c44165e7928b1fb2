#include "cli/output.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "cli/cli_error.h"
#include "core/output_file.h"
#include "core/human_numbers.h"

namespace wattcast::cli {

void check_output_path(const std::string& path, const std::string& flag) {
  if (path.empty() || path == "-") return;
  const std::filesystem::path target(path);
  std::error_code ec;
  if (std::filesystem::is_directory(target, ec)) throw CliError(path + ": " + flag + " is a directory; give a file name in it");
  const std::filesystem::path folder = target.has_parent_path() ? target.parent_path() : std::filesystem::path(".");
  if (!std::filesystem::is_directory(folder, ec)) {
    throw CliError(path + ": " + flag + ": no such folder '" + folder.string() + "' (create it first)");
  }
}

void emit(const std::string& content, const std::string& out_path, const std::string& flag) {
  if (out_path.empty() || out_path == "-") {
    std::fwrite(content.data(), 1, content.size(), stdout);
    return;
  }
  check_output_path(out_path, flag);
  check(write_output_file(out_path, content));
}

void check_format(const std::string& format, std::initializer_list<const char*> allowed) {
  std::string list;
  for (const char* name : allowed) {
    if (format == name) return;
    list += (list.empty() ? "" : ", ") + std::string(name);
  }
  throw CliError("--format: unknown format '" + format + "' (expected one of: " + list + ")");
}

std::string format_number(double value, int significant) { return plain_number(value, significant); }

size_t terminal_width() {
  if (const char* columns = std::getenv("COLUMNS"); columns && *columns) {
    char* end = nullptr;
    const long width = std::strtol(columns, &end, 10);
    if (*end == '\0' && width > 0) return static_cast<size_t>(width);
  }
  winsize size{};
  if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 0) return size.ws_col;
  return 0;
}

size_t table_width(const std::string& out_path) { return out_path.empty() || out_path == "-" ? terminal_width() : 0; }

bool stderr_is_terminal() { return isatty(STDERR_FILENO) != 0; }

}  // namespace wattcast::cli
