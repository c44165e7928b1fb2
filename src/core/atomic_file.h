#pragma once
// Output files appear whole or not at all: content goes to a temporary file in the same
// directory, which is renamed over the destination only once everything was written.

#include <string>

#include "core/result.h"

namespace wattcast {

Status write_file_atomically(const std::string& path, const std::string& content);

}  // namespace wattcast
