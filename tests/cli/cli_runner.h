#pragma once
// Runs the built wattcast binary as a user would and captures what it printed.

#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace wattcast::testing {

struct CliResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

inline std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// A scratch directory per test binary run, removed when the binary exits (also after failed
// tests). A forked child that does not exec leaves with _exit, so only its parent removes it.
class ScratchDir {
 public:
  ScratchDir() : path_(std::filesystem::temp_directory_path() / ("wattcast_cli_" + std::to_string(::getpid()))), owner_(::getpid()) {
    std::filesystem::create_directories(path_);
  }
  ~ScratchDir() {
    if (::getpid() != owner_) return;
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
  pid_t owner_;
};

inline std::filesystem::path scratch_dir() {
  static const ScratchDir dir;
  return dir.path();
}

inline std::string write_scratch(const std::string& name, const std::string& content) {
  const auto path = scratch_dir() / name;
  std::ofstream(path) << content;
  return path.string();
}

// Where run_shell captures standard error: a command run through it can watch what wattcast
// says while it runs.
inline std::filesystem::path captured_stderr_path() { return scratch_dir() / "stderr.txt"; }

// Any shell command line, its output captured (for wattcast under script(1), in a folder, ...).
inline CliResult run_shell(const std::string& command_line) {
  const std::string out = (scratch_dir() / "stdout.txt").string();
  const std::string err = captured_stderr_path().string();
  const std::string command = command_line + " >" + out + " 2>" + err + " </dev/null";
  const int status = std::system(command.c_str());
  CliResult result;
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  result.out = read_text(out);
  result.err = read_text(err);
  return result;
}

// `args` is passed through the shell: quote as needed.
inline CliResult run_cli(const std::string& args) { return run_shell(std::string(WATTCAST_BIN) + " " + args); }

inline int count_lines(const std::string& text) {
  int lines = 0;
  for (char c : text) lines += c == '\n';
  return lines;
}

// The CPU and memory models read a still /proc: the modelled CPU power then does not follow what
// else the machine runs (other tests in parallel), and a constant replayed GPU trace stays a
// constant run. For tests whose runs must be stable whatever else the machine does. The command's process tree is not in it: only that figure is lost.
class StillMachine {
 public:
  StillMachine() {
    const auto root = scratch_dir() / "still_proc";
    std::filesystem::create_directories(root);
    std::ofstream(root / "stat") << "cpu  100 0 100 100000 0 0 0 0 0 0\n";
    std::ofstream(root / "cpuinfo") << "model name\t: Still Test CPU\n";
    std::ofstream(root / "meminfo") << "MemTotal:       16000000 kB\nMemAvailable:    8000000 kB\n";
    ::setenv("WATTCAST_PROC_ROOT", root.c_str(), 1);
  }
  ~StillMachine() { ::unsetenv("WATTCAST_PROC_ROOT"); }
};

}  // namespace wattcast::testing
