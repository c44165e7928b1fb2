#pragma once
// The comparison charts' data, from the runs of a store until `wattcast compare` provides its
// own: runs grouped by a tag (`measure --tag optimizer=adam`), one figure per run, and each run's
// energy against its last reported metric.

#include <optional>
#include <string>
#include <vector>

#include "report/group_comparison.h"
#include "report/run_report.h"

namespace wattcast {

struct RunComparisonOptions {
  std::string by_tag;                // no grouping when empty
  std::string metric = "energy_kj";  // energy_kj, duration_s, or a metric the runs report per epoch
  bool higher_is_better = true;      // for an epoch metric on the trade-off chart
};

struct RunComparison {
  std::optional<GroupComparison> groups;   // absent: fewer than two groups (notes say why)
  std::optional<TradeoffChart> tradeoff;   // absent: fewer than two runs with a metric
  std::vector<std::string> notes;
};

RunComparison group_runs_for_report(const std::vector<RunReport>& runs, const RunComparisonOptions& options);

// A run's figure for `metric`: energy_kj, duration_s, or the metric its last epoch reported.
std::optional<double> run_figure(const RunReport& run, const std::string& metric);

}  // namespace wattcast
