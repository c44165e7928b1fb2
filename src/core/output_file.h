#pragma once
// Where every command's output file goes (--out): the one way wattcast writes a file a user named.
//
//   "-"                      standard output
//   a symlink                followed: its target is written, the link stays
//   a device, a pipe, ...    written directly (renaming over /dev/null would replace it)
//   a regular file, or none  appears whole or not at all: the content goes to a temporary file
//                            in the same directory, renamed over the target once all is written
//                            (an existing file keeps its permissions)

#include <string>

#include "core/result.h"

namespace wattcast {

Status write_output_file(const std::string& path, const std::string& content);

}  // namespace wattcast
