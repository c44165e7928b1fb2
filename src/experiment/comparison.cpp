#include "experiment/comparison.h"

#include <algorithm>
#include <map>
#include <set>

#include <fmt/format.h>

#include "core/csv.h"
#include "stats/input_checks.h"

namespace wattcast {

namespace {

// Levels sort as numbers when all of them are ("8" before "16"), else as text.
void sort_levels(std::vector<GroupSummary>& groups) {
  const bool numeric = std::all_of(groups.begin(), groups.end(), [](const GroupSummary& g) { return parse_finite_double(g.level).has_value(); });
  std::sort(groups.begin(), groups.end(), [numeric](const GroupSummary& a, const GroupSummary& b) {
    return numeric ? *parse_finite_double(a.level) < *parse_finite_double(b.level) : a.level < b.level;
  });
}

std::string names_of(const std::set<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out.empty() ? "none" : out;
}

const std::set<std::string> kBookkeepingTags = {"experiment", "trial", "repetition", "train_samples"};

std::string configuration_of(const RunRecord& run) {
  std::string out;
  for (const auto& [key, value] : run.tags) {
    if (!kBookkeepingTags.count(key)) out += (out.empty() ? "" : " ") + key + "=" + value;
  }
  return out.empty() ? "(untagged)" : out;
}

// The statistics name their test in their messages; a note that names it already says it once.
std::string reason(const std::string& message, const std::string& test) {
  const std::string prefix = test + ": ";
  return message.rfind(prefix, 0) == 0 ? message.substr(prefix.size()) : message;
}

// A metric the run reported, or a tag that reads as a number (batch_size=32): factor levels that
// are numbers can be correlated.
std::optional<double> numeric_value(const RunMetrics& run, const std::string& name) {
  if (auto value = run.values.find(name); value != run.values.end()) return value->second;
  if (auto tag = run.run.tags.find(name); tag != run.run.tags.end()) return parse_finite_double(tag->second);
  return std::nullopt;
}

double median_of(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const size_t n = values.size();
  return n % 2 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2]);
}

}  // namespace

Result<Comparison> compare_runs(const std::vector<RunMetrics>& runs, const std::string& factor, const std::string& metric) {
  Comparison c;
  c.factor = factor;
  c.metric = metric;
  std::map<std::string, std::vector<double>> by_level;
  std::set<std::string> tags_seen, metrics_seen;
  bool factor_seen = false;
  for (const auto& run : runs) {
    if (!run.succeeded) continue;
    for (const auto& [tag, value] : run.run.tags) tags_seen.insert(tag);
    for (const auto& [name, value] : run.values) metrics_seen.insert(name);
    auto level = run.run.tags.find(factor);
    if (level == run.run.tags.end()) continue;
    factor_seen = true;
    auto value = run.values.find(metric);
    if (value == run.values.end()) {
      ++c.runs_without_metric;
      continue;
    }
    by_level[level->second].push_back(value->second);
  }
  if (!factor_seen) return Error{"no successful run has the tag '" + factor + "' (tags seen: " + names_of(tags_seen) + ")"};
  if (by_level.empty()) return Error{"no run tagged '" + factor + "' has the metric '" + metric + "' (metrics seen: " + names_of(metrics_seen) + ")"};
  for (auto& [level, values] : by_level) {
    GroupSummary g;
    g.level = level;
    g.values = values;
    g.describe = stats::describe(values).value();
    c.groups.push_back(std::move(g));
  }
  sort_levels(c.groups);
  stats::Groups groups;
  std::vector<std::string> names;
  for (auto& g : c.groups) {
    groups.push_back(g.values);
    names.push_back(g.level);
    if (auto sw = stats::shapiro_wilk(g.values)) {
      g.shapiro_wilk = *sw;
    } else {
      c.skipped.push_back("Shapiro-Wilk, " + factor + "=" + g.level + ": " + reason(sw.error().message, "Shapiro-Wilk"));
    }
  }
  auto keep = [&](auto result, auto& slot, const char* test) {
    if (result) {
      slot = *result;
    } else {
      c.skipped.push_back(std::string(test) + ": " + reason(result.error().message, test));
    }
  };
  if (groups.size() < 2) {
    c.skipped.push_back(fmt::format("tests across groups: only one level of '{}' has runs with '{}'", factor, metric));
    return c;
  }
  keep(stats::levene(groups, names), c.levene, "Levene");
  keep(stats::kruskal_wallis(groups, names), c.kruskal_wallis, "Kruskal-Wallis");
  keep(stats::dunn(groups, names), c.dunn, "Dunn");
  // Held to the group size Kruskal-Wallis needs, so that two groups of one value each are
  // skipped by every test alike (a p of 1 from one value per group says nothing).
  if (groups.size() == 2) {
    if (Status sizes = stats::check_groups("Mann-Whitney U", groups, names, 2, stats::kKruskalMinGroupSize); !sizes) {
      c.skipped.push_back("Mann-Whitney U: " + reason(sizes.error().message, "Mann-Whitney U"));
    } else {
      keep(stats::mann_whitney(groups[0], groups[1]), c.mann_whitney, "Mann-Whitney U");
    }
  }
  return c;
}

Correlation correlate_runs(const std::vector<RunMetrics>& runs, const std::string& x, const std::string& y) {
  Correlation c;
  c.x = x;
  c.y = y;
  std::vector<double> xs, ys;
  for (const auto& run : runs) {
    if (!run.succeeded) continue;
    const auto a = numeric_value(run, x);
    const auto b = numeric_value(run, y);
    if (!a || !b) continue;
    xs.push_back(*a);
    ys.push_back(*b);
  }
  if (auto s = stats::spearman(xs, ys)) {
    c.spearman = *s;
  } else {
    c.skipped = fmt::format("Spearman ({} runs with both {} and {}): {}", xs.size(), x, y, reason(s.error().message, "Spearman"));
  }
  return c;
}

Result<Tradeoff> tradeoff(const std::vector<RunMetrics>& runs, const std::string& energy_metric, const std::string& quality_metric,
                          bool higher_quality_is_better) {
  std::map<std::string, std::pair<std::vector<double>, std::vector<double>>> by_configuration;
  for (const auto& run : runs) {
    if (!run.succeeded) continue;
    auto e = run.values.find(energy_metric);
    auto q = run.values.find(quality_metric);
    if (e == run.values.end() || q == run.values.end()) continue;
    auto& [energies, qualities] = by_configuration[configuration_of(run.run)];
    energies.push_back(e->second);
    qualities.push_back(q->second);
  }
  if (by_configuration.empty()) return Error{"no successful run has both '" + energy_metric + "' and '" + quality_metric + "'"};
  Tradeoff t;
  t.energy_metric = energy_metric;
  t.quality_metric = quality_metric;
  const double sign = higher_quality_is_better ? 1 : -1;
  for (const auto& [configuration, figures] : by_configuration) {
    TradeoffRow row;
    row.configuration = configuration;
    row.runs = static_cast<int>(figures.first.size());
    row.energy = median_of(figures.first);
    row.metric = median_of(figures.second);
    t.rows.push_back(row);
  }
  for (auto& row : t.rows) {
    row.pareto = std::none_of(t.rows.begin(), t.rows.end(), [&](const TradeoffRow& other) {
      const bool no_worse = other.energy <= row.energy && sign * other.metric >= sign * row.metric;
      const bool better = other.energy < row.energy || sign * other.metric > sign * row.metric;
      return no_worse && better;
    });
  }
  const TradeoffRow best = *std::max_element(t.rows.begin(), t.rows.end(), [&](const TradeoffRow& a, const TradeoffRow& b) {
    return sign * a.metric < sign * b.metric || (a.metric == b.metric && a.energy > b.energy);
  });
  for (auto& row : t.rows) {
    row.energy_saving_pct = best.energy > 0 ? 100 * (1 - row.energy / best.energy) : 0;
    row.metric_change = row.metric - best.metric;
  }
  std::sort(t.rows.begin(), t.rows.end(), [](const TradeoffRow& a, const TradeoffRow& b) { return a.energy < b.energy; });
  return t;
}

}  // namespace wattcast
