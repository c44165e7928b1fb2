#pragma once
// Text and JSON for `wattcast show --job ID`: a multi-rank job merged over its nodes.

#include <string>

#include <nlohmann/json.hpp>

#include "cluster/job_summary.h"

namespace wattcast::cli {

std::string render_job_summary(const JobSummary& summary);
nlohmann::json job_summary_json(const JobSummary& summary);

}  // namespace wattcast::cli
