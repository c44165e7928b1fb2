#pragma once
// The CLI edge is the one place that throws: library Results become a CliError, which main
// prints as one line and turns into the exit code.

#include <stdexcept>
#include <string>

#include "core/result.h"

namespace wattcast::cli {

inline constexpr int kExitBadInput = 2;

class CliError : public std::runtime_error {
 public:
  explicit CliError(const std::string& message, int exit_code = kExitBadInput) : std::runtime_error(message), exit_code_(exit_code) {}
  int exit_code() const { return exit_code_; }

 private:
  int exit_code_;
};

template <typename T>
T unwrap(Result<T> result) {
  if (!result) throw CliError(result.error().message);
  return std::move(result).value();
}

inline void check(const Status& status) {
  if (!status) throw CliError(status.error().message);
}

}  // namespace wattcast::cli
