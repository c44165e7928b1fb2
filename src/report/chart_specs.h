#pragma once
// The report's charts as Vega-Lite specifications, data inline, so the page needs nothing but
// itself. Each function returns one complete spec; callers leave out a chart with no data
// rather than ask for an empty one. No "$schema" key: it would be the page's only URL, and the
// page tells vega-embed the mode instead.

#include <nlohmann/json.hpp>

#include "report/group_comparison.h"
#include "report/run_report.h"

namespace wattcast {

inline constexpr int kChartWidthPx = 760;  // leaves room for the legend in the page's 1000 px

// Power over time per device, a dashed rule at each epoch's start and a red one at the
// stabilizing epoch. Needs run.power non-empty.
nlohmann::json power_chart_spec(const RunReport& run);
// Energy (bars, grey before the stabilizing epoch) and duration (line) per epoch. Needs epochs.
nlohmann::json epoch_chart_spec(const RunReport& run);
// Each estimator's projected total with its interval, and the measured total. Needs projections.
nlohmann::json projection_chart_spec(const RunReport& run);
// One box (and the runs as points) per group.
nlohmann::json group_box_plot_spec(const GroupComparison& comparison);
// Energy per sample (or epoch) against the metric, the Pareto front joined by a line.
nlohmann::json tradeoff_chart_spec(const TradeoffChart& chart);

}  // namespace wattcast
