#include "core/output_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <vector>

namespace wattcast {

namespace {

std::string error_text(int error) { return std::strerror(error); }

Status write_all(int fd, const std::string& path, const std::string& content) {
  const char* data = content.data();
  size_t left = content.size();
  while (left > 0) {
    const ssize_t written = ::write(fd, data, left);
    if (written < 0) {
      if (errno == EINTR) continue;
      return Error::in_file(path, "cannot write output file: " + error_text(errno));
    }
    data += written;
    left -= static_cast<size_t>(written);
  }
  return ok_status();
}

// The path a chain of symlinks ends at (the last one may point at a file not there yet).
Result<std::string> follow_symlinks(const std::string& path) {
  std::string current = path;
  for (int hop = 0; hop < 40; ++hop) {
    struct stat info {};
    if (::lstat(current.c_str(), &info) != 0 || !S_ISLNK(info.st_mode)) return current;
    std::vector<char> target(static_cast<size_t>(info.st_size > 0 ? info.st_size : 4096) + 1);
    const ssize_t n = ::readlink(current.c_str(), target.data(), target.size());
    if (n < 0) return Error::in_file(path, "cannot read the symbolic link: " + error_text(errno));
    std::string next(target.data(), static_cast<size_t>(n));
    if (next.empty() || next.front() != '/') {
      const size_t slash = current.rfind('/');
      if (slash != std::string::npos) next = current.substr(0, slash + 1) + next;
    }
    current = next;
  }
  return Error::in_file(path, "too many levels of symbolic links");
}

Status write_directly(const std::string& path, const std::string& content) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) return Error::in_file(path, "cannot open output file: " + error_text(errno));
  Status written = write_all(fd, path, content);
  ::close(fd);
  return written;
}

Status replace_atomically(const std::string& path, const std::string& content, const struct stat* existing) {
  std::string pattern = path + ".tmp.XXXXXX";
  std::vector<char> temp_path(pattern.begin(), pattern.end());
  temp_path.push_back('\0');
  const int fd = mkstemp(temp_path.data());
  if (fd < 0) return Error::in_file(path, "cannot create output file: " + error_text(errno));
  if (Status written = write_all(fd, path, content); !written) {
    ::close(fd);
    ::unlink(temp_path.data());
    return written;
  }
  // mkstemp creates 0600; outputs are ordinary user files, and a file replaced keeps its mode.
  ::fchmod(fd, existing ? existing->st_mode & 07777 : 0644);
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    ::unlink(temp_path.data());
    return Error::in_file(path, "cannot flush output file");
  }
  if (std::rename(temp_path.data(), path.c_str()) != 0) {
    const int saved = errno;
    ::unlink(temp_path.data());
    return Error::in_file(path, "cannot move output file into place: " + error_text(saved));
  }
  return ok_status();
}

}  // namespace

Status write_output_file(const std::string& path, const std::string& content) {
  if (path == "-") {
    // Through stdio, so it stays in order with whatever else the command printed there.
    if (std::fwrite(content.data(), 1, content.size(), stdout) != content.size() || std::fflush(stdout) != 0) {
      return Error{"standard output: cannot write: " + error_text(errno)};
    }
    return ok_status();
  }
  auto target = follow_symlinks(path);
  if (!target) return target.error();
  struct stat info {};
  if (::stat(target->c_str(), &info) != 0) return replace_atomically(*target, content, nullptr);
  if (!S_ISREG(info.st_mode)) return write_directly(*target, content);
  return replace_atomically(*target, content, &info);
}

}  // namespace wattcast
