#include "core/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <vector>

namespace wattcast {

Status write_file_atomically(const std::string& path, const std::string& content) {
  std::string pattern = path + ".tmp.XXXXXX";
  std::vector<char> temp_path(pattern.begin(), pattern.end());
  temp_path.push_back('\0');
  int fd = mkstemp(temp_path.data());
  if (fd < 0) return Error::in_file(path, std::string("cannot create output file: ") + std::strerror(errno));

  const char* data = content.data();
  size_t left = content.size();
  while (left > 0) {
    ssize_t written = ::write(fd, data, left);
    if (written < 0) {
      if (errno == EINTR) continue;
      int saved = errno;
      ::close(fd);
      ::unlink(temp_path.data());
      return Error::in_file(path, std::string("cannot write output file: ") + std::strerror(saved));
    }
    data += written;
    left -= static_cast<size_t>(written);
  }
  // mkstemp creates 0600; outputs are ordinary user files.
  ::fchmod(fd, 0644);
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    ::unlink(temp_path.data());
    return Error::in_file(path, "cannot flush output file");
  }
  if (std::rename(temp_path.data(), path.c_str()) != 0) {
    int saved = errno;
    ::unlink(temp_path.data());
    return Error::in_file(path, std::string("cannot move output file into place: ") + std::strerror(saved));
  }
  return ok_status();
}

}  // namespace wattcast
