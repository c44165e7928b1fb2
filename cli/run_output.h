#pragma once
// Text for a measured run: the summary `measure` prints at exit and `show` prints later, and the
// Hugging Face model-card block.

#include <map>
#include <memory>
#include <string>

#include "monitor/run_summary.h"
#include "store/run_store.h"

namespace wattcast::cli {

// Epochs in the summary's table: a longer run shows its first and last kSummaryEpochsShown / 2.
inline constexpr size_t kSummaryEpochsShown = 40;

std::string render_summary(const RunSummary& summary);
// "model=resnet50 optimizer=adam": a run's tags as they were given to --tag.
std::string tags_text(const std::map<std::string, std::string>& tags);
// The `co2_eq_emissions` block of a Hugging Face model card (YAML front matter).
std::string render_hf_card(const RunSummary& summary);
std::string default_store_path();
// Opens a store that must already exist, for reading only (reading commands never create or
// change one): an SQLite file, or a postgresql:// URL. Throws CliError.
std::unique_ptr<RunStore> open_existing_store(const std::string& location);

}  // namespace wattcast::cli
