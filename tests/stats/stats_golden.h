#pragma once
// The SciPy reference figures of tests/stats/stats_golden.json (written by
// make_stats_golden.py) and the agreement the tests require of them.

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

#include "test_paths.h"

namespace wattcast::stats::testing {

inline const nlohmann::json& golden() {
  static const nlohmann::json parsed = [] {
    std::ifstream in(wattcast::testing::source_dir() + "/tests/stats/stats_golden.json");
    EXPECT_TRUE(in.good()) << "tests/stats/stats_golden.json missing";
    return in.good() ? nlohmann::json::parse(in) : nlohmann::json::object();
  }();
  return parsed;
}

// 1e-6 relative, or 1e-12 absolute for figures near 0 (p-values that underflow differently).
inline ::testing::AssertionResult close_to_reference(double actual, double expected, double relative = 1e-6,
                                                     double absolute = 1e-12) {
  const double difference = std::abs(actual - expected);
  if (difference <= absolute || difference <= relative * std::abs(expected)) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "got " << actual << ", reference " << expected << " (relative difference "
                                       << difference / std::abs(expected) << ")";
}

}  // namespace wattcast::stats::testing
