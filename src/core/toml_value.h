#pragma once
// A TOML scalar as the text the user wrote (strings as is, numbers and booleans formatted), for
// settings that are checked and converted later with their file and line.

#include <string>

#include <toml++/toml.h>

namespace wattcast {

// Empty for arrays and tables.
std::string toml_value_text(const toml::node& node);

}  // namespace wattcast
