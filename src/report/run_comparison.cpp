#include "report/run_comparison.h"

#include <cstdlib>
#include <map>
#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace wattcast {

namespace {

std::optional<double> positive_tag(const RunRecord& run, const std::string& key) {
  const auto found = run.tags.find(key);
  if (found == run.tags.end()) return std::nullopt;
  char* end = nullptr;
  const double value = std::strtod(found->second.c_str(), &end);
  if (end == found->second.c_str() || *end != '\0' || !(value > 0)) return std::nullopt;
  return value;
}

std::string tag_or_empty(const RunRecord& run, const std::string& key) {
  const auto found = run.tags.find(key);
  return found == run.tags.end() ? "" : found->second;
}

std::optional<GroupComparison> group_runs(const std::vector<RunReport>& runs, const RunComparisonOptions& options,
                                          std::vector<std::string>& notes) {
  if (options.by_tag.empty()) {
    notes.push_back("runs not grouped: give --by TAG (a tag the runs were measured with, --tag TAG=VALUE) for box plots per group");
    return std::nullopt;
  }
  std::map<std::string, std::vector<double>> values;
  std::vector<std::string> untagged, without_metric;
  for (const auto& r : runs) {
    const auto tag = r.run.tags.find(options.by_tag);
    if (tag == r.run.tags.end()) {
      untagged.push_back(std::to_string(r.run.id));
      continue;
    }
    const auto figure = run_figure(r, options.metric);
    if (!figure) {
      without_metric.push_back(std::to_string(r.run.id));
      continue;
    }
    values[tag->second].push_back(*figure);
  }
  const auto join = [](const std::vector<std::string>& ids) { return fmt::format("{}", fmt::join(ids, ", ")); };
  if (!untagged.empty()) notes.push_back(fmt::format("runs without the tag '{}' left out of the groups: {}", options.by_tag, join(untagged)));
  if (!without_metric.empty()) notes.push_back(fmt::format("runs without '{}' left out of the groups: {}", options.metric, join(without_metric)));
  if (values.size() < 2) {
    notes.push_back(fmt::format("no group comparison: the runs form {} group(s) by '{}', two are needed", values.size(), options.by_tag));
    return std::nullopt;
  }
  GroupComparison comparison;
  comparison.factor = options.by_tag;
  comparison.metric = options.metric;
  for (auto& [name, v] : values) comparison.groups.emplace_back(name, std::move(v));
  comparison.statistics_table = describe_groups(comparison);
  comparison.tests_table = test_groups(comparison);
  return comparison;
}

// The quality axis: the asked-for metric when the runs report it per epoch, else the metric most
// runs' last epochs report (ties: the first by name), so one odd run does not pick it.
std::string tradeoff_metric(const std::vector<RunReport>& runs, const std::string& asked) {
  std::map<std::string, int> reported;
  for (const auto& r : runs) {
    if (!r.epochs.empty()) {
      for (const auto& [name, value] : r.epochs.back().metrics) ++reported[name];
    }
  }
  if (reported.count(asked)) return asked;
  std::string most;
  for (const auto& [name, count] : reported) {
    if (most.empty() || count > reported.at(most)) most = name;
  }
  return most;
}

std::optional<TradeoffChart> tradeoff(const std::vector<RunReport>& runs, const RunComparisonOptions& options, std::vector<std::string>& notes) {
  TradeoffChart chart;
  chart.metric = tradeoff_metric(runs, options.metric);
  chart.higher_is_better = options.higher_is_better;
  if (chart.metric.empty()) {
    notes.push_back("no energy-quality trade-off: no run reported a metric with its epochs (wattcast.epoch_end(metrics={...}))");
    return std::nullopt;
  }
  bool per_sample = true;
  for (const auto& r : runs) per_sample = per_sample && (r.epochs.empty() || positive_tag(r.run, "train_samples"));
  chart.energy_unit = per_sample ? "sample" : "epoch";
  for (const auto& r : runs) {
    if (r.epochs.empty()) continue;
    const auto value = r.epochs.back().metrics.find(chart.metric);
    if (value == r.epochs.back().metrics.end()) continue;
    double units = static_cast<double>(r.epochs.size());
    if (per_sample) units *= *positive_tag(r.run, "train_samples");
    const std::string group = options.by_tag.empty() ? "" : tag_or_empty(r.run, options.by_tag);
    chart.points.push_back({fmt::format("run {}", r.run.id), group, r.energy_j / units, value->second, false});
  }
  if (chart.points.size() < 2) {
    notes.push_back(fmt::format("no energy-quality trade-off: {} run(s) reported '{}', two are needed", chart.points.size(), chart.metric));
    return std::nullopt;
  }
  if (!per_sample) notes.push_back("trade-off energy is per epoch: tag every run with train_samples=N for energy per training sample");
  mark_pareto_front(chart);
  return chart;
}

}  // namespace

std::optional<double> run_figure(const RunReport& run, const std::string& metric) {
  if (metric == "energy_kj") return run.energy_j / 1000;
  if (metric == "duration_s") return run.duration_s;
  if (run.epochs.empty()) return std::nullopt;
  const auto& last = run.epochs.back().metrics;
  const auto found = last.find(metric);
  if (found == last.end()) return std::nullopt;
  return found->second;
}

RunComparison group_runs_for_report(const std::vector<RunReport>& runs, const RunComparisonOptions& options) {
  RunComparison out;
  out.groups = group_runs(runs, options, out.notes);
  out.tradeoff = tradeoff(runs, options, out.notes);
  return out;
}

}  // namespace wattcast
