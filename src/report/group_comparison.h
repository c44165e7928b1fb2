#pragma once
// What the report's comparison charts draw: one metric per run, grouped by a factor (box plots,
// statistics table), and each run's energy against its quality (scatter with the Pareto front).
// Plain data, so `wattcast compare` can fill it with its own statistics; store_groups.h fills it
// from a store's tags in the meantime.

#include <string>
#include <utility>
#include <vector>

namespace wattcast {

struct GroupComparison {
  std::string factor;  // the tag the runs are grouped by ("optimizer")
  std::string metric;  // what each value is ("energy_kj", "val_acc")
  std::vector<std::pair<std::string, std::vector<double>>> groups;  // group name -> one value per run
  // First row is the header; every row has as many cells as the header.
  std::vector<std::vector<std::string>> statistics_table;
  std::vector<std::vector<std::string>> tests_table;
};

struct TradeoffPoint {
  std::string label;  // "run 3"
  std::string group;  // the run's group, or "" when the runs are not grouped
  double energy_per_unit_j = 0;  // per training sample or per epoch: TradeoffChart::energy_unit
  double metric = 0;
  bool pareto = false;
};

struct TradeoffChart {
  std::string metric;
  std::string energy_unit = "epoch";  // "sample" (runs tagged train_samples) or "epoch"
  bool higher_is_better = true;
  std::vector<TradeoffPoint> points;
};

// Marks the points no other point beats on both axes: less or equal energy and a metric at least
// as good, better in one of them.
void mark_pareto_front(TradeoffChart& chart);

// n, median, quartiles and range per group, as the table's rows (header first).
std::vector<std::vector<std::string>> describe_groups(const GroupComparison& comparison);
// The tests across groups (`wattcast compare`'s: Kruskal-Wallis, Levene, and Mann-Whitney for two
// groups or Dunn's pairs for more), as rows (header first); a test the groups are too small for
// is a row saying why.
std::vector<std::vector<std::string>> test_groups(const GroupComparison& comparison);

}  // namespace wattcast
