#pragma once
// A store's runs (or one run) as the report's page: a section per run (power over time, epochs,
// projections) and, across runs, the group comparison and the energy-quality trade-off. Charts
// with no data are left out with a note saying why.

#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "report/html_page.h"
#include "report/run_comparison.h"
#include "report/run_report.h"
#include "store/run_store.h"

namespace wattcast {

struct ReportOptions {
  std::optional<int64_t> run_id;  // one run; else every run in the store
  RunReportOptions run;
  RunComparisonOptions comparison;
};

struct ReportContent {
  std::string source;  // "runs.db", shown in the title
  std::vector<RunReport> runs;
  RunComparison comparison;
};

// Errors: no such run, an empty store, or the store failing to read.
Result<ReportContent> collect_report(RunStore& store, const std::string& source, const ReportOptions& options);

Page report_page(const ReportContent& content);

}  // namespace wattcast
