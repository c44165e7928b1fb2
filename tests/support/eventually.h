#pragma once
// Bounded polling for tests that wait on another process: the condition, checked every 20 ms
// until it holds or `limit` passes (the period is how often to look, not a synchronisation).

#include <chrono>
#include <thread>

namespace wattcast::testing {

// Whether `condition` held before `limit` passed.
template <typename Condition>
bool eventually(Condition condition, std::chrono::milliseconds limit = std::chrono::seconds(60)) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return condition();
}

}  // namespace wattcast::testing
