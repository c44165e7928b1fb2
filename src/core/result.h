#pragma once
// Errors as values at module boundaries: a Result<T> holds either a T or an Error.
// (std::expected is C++23; the toolchain we target ships C++20.)

#include <string>
#include <utility>
#include <variant>

namespace wattcast {

// A user-facing, one-line description of what went wrong. Input errors name the place
// (file, line, field) so the user can fix them without reading the code.
struct Error {
  std::string message;

  // "runs.csv:12: field 'batch_size': must be a positive number, got '-3'"
  static Error at(const std::string& file, int line, const std::string& field, const std::string& what);
  static Error in_file(const std::string& file, const std::string& what);
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}      // NOLINT(google-explicit-constructor)
  Result(Error error) : state_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return std::holds_alternative<T>(state_); }
  explicit operator bool() const { return ok(); }

  const T& value() const& { return std::get<T>(state_); }
  T& value() & { return std::get<T>(state_); }
  T&& value() && { return std::get<T>(std::move(state_)); }
  const T& operator*() const& { return value(); }
  const T* operator->() const { return &std::get<T>(state_); }
  T* operator->() { return &std::get<T>(state_); }

  const Error& error() const { return std::get<Error>(state_); }

 private:
  std::variant<T, Error> state_;
};

struct Ok {};
using Status = Result<Ok>;
inline Status ok_status() { return Ok{}; }

}  // namespace wattcast
