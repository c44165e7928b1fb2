#pragma once
// CLI11's parse errors in plain words, on one line, naming the flag as the user typed it.

#include <string>

#include <CLI/CLI.hpp>

namespace wattcast::cli {

std::string plain_parse_error(const CLI::ParseError& error, const CLI::App& app);

}  // namespace wattcast::cli
