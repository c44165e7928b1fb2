#pragma once
// The charting scripts a report inlines: data/report-assets.js, which the build bundles from the
// npm packages web/package-lock.json pins (docs/REPORT.md). Found like the other data files.

#include <string>

#include "core/result.h"

namespace wattcast {

inline constexpr const char* kReportAssetsFile = "report-assets.js";

// From the data directory (find_data_dir). An error names the file and says how to build it.
Result<std::string> load_report_assets();
// Checks scripts read from `path` can sit inside a <script> element.
Result<std::string> check_report_assets(std::string scripts, const std::string& path);

}  // namespace wattcast
