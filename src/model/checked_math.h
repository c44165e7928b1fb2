#pragma once
// Counts of a large model at a large batch can pass 2^63; a wrapped count would be silently
// wrong, so every product and sum is checked and an overflow becomes an error naming the node.

#include <cstdint>
#include <optional>
#include <vector>

namespace wattcast {

inline std::optional<int64_t> checked_mul(int64_t a, int64_t b) {
  int64_t r = 0;
  if (__builtin_mul_overflow(a, b, &r)) return std::nullopt;
  return r;
}

inline std::optional<int64_t> checked_add(int64_t a, int64_t b) {
  int64_t r = 0;
  if (__builtin_add_overflow(a, b, &r)) return std::nullopt;
  return r;
}

inline std::optional<int64_t> checked_sub(int64_t a, int64_t b) {
  int64_t r = 0;
  if (__builtin_sub_overflow(a, b, &r)) return std::nullopt;
  return r;
}

// The product of dims, or nullopt on overflow or an unknown (negative) dim.
inline std::optional<int64_t> checked_product(const std::vector<int64_t>& dims) {
  int64_t r = 1;
  for (int64_t d : dims) {
    if (d < 0) return std::nullopt;
    auto next = checked_mul(r, d);
    if (!next) return std::nullopt;
    r = *next;
  }
  return r;
}

}  // namespace wattcast
