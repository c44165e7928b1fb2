#pragma once
// Where a command's result goes: stdout, or the file --out names (core/output_file.h).

#include <string>

namespace wattcast::cli {

void emit(const std::string& content, const std::string& out_path);

// Validates --format against the allowed values.
void check_format(const std::string& format, std::initializer_list<const char*> allowed);

std::string format_number(double value, int significant = 4);

}  // namespace wattcast::cli
