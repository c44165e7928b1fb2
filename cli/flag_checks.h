#pragma once
// Checks on a flag's text before CLI11 converts it, with plain messages: "--epochs: expected a
// whole number from 1 to 1000000, got '30.5'".

#include <cstdint>

#include <CLI/CLI.hpp>

namespace wattcast::cli {

// A whole number (no fraction, no exponent) in [min, max].
CLI::Validator whole_number(int64_t min, int64_t max);

}  // namespace wattcast::cli
