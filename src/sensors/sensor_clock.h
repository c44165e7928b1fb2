#pragma once
// The time base of sensors that turn counter deltas into power. Injected so tests can step time
// exactly instead of sleeping.

#include <chrono>
#include <functional>

namespace wattcast {

// Seconds on a monotonic clock; only differences are meaningful.
using SecondsClock = std::function<double()>;

inline SecondsClock steady_seconds_clock() {
  return [] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
  };
}

}  // namespace wattcast
