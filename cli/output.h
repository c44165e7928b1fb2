#pragma once
// Where a command's result goes: stdout, or the file --out names (core/output_file.h); and how
// wide the terminal it is read on is.

#include <cstddef>
#include <initializer_list>
#include <string>

namespace wattcast::cli {

// Checks the path first (check_output_path), so a bad --out fails before any work is lost.
void emit(const std::string& content, const std::string& out_path, const std::string& flag = "--out");

// A path the user gave for a file to write: an existing folder, or a folder that does not exist
// (never created for them), is a one-line error naming the flag and the folder.
void check_output_path(const std::string& path, const std::string& flag = "--out");

// Validates --format against the allowed values.
void check_format(const std::string& format, std::initializer_list<const char*> allowed);

// Plain number for text output: `significant` digits, never an exponent (core/human_numbers.h).
std::string format_number(double value, int significant = 4);

// Columns text tables may use on stdout: $COLUMNS when set, else the terminal's width, else 0
// (not a terminal: no limit, the full text goes through).
size_t terminal_width();
// terminal_width() for output to stdout; 0 (the full text) for a file (--out).
size_t table_width(const std::string& out_path);

// True when stderr is a terminal: progress lines are drawn only there.
bool stderr_is_terminal();

}  // namespace wattcast::cli
