#pragma once
// Text for a measured run: the summary `measure` prints at exit and `show` prints later, and the
// Hugging Face model-card block.

#include <string>

#include "monitor/run_summary.h"

namespace wattcast::cli {

std::string render_summary(const RunSummary& summary);
// The `co2_eq_emissions` block of a Hugging Face model card (YAML front matter).
std::string render_hf_card(const RunSummary& summary);
std::string default_store_path();

}  // namespace wattcast::cli
