#include "report/group_comparison.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "stats/descriptive.h"
#include "stats/dunn.h"
#include "stats/kruskal_wallis.h"
#include "stats/levene.h"
#include "stats/mann_whitney.h"

namespace wattcast {


void mark_pareto_front(TradeoffChart& chart) {
  const auto better_or_equal = [&](double a, double b) { return chart.higher_is_better ? a >= b : a <= b; };
  for (auto& p : chart.points) {
    p.pareto = std::none_of(chart.points.begin(), chart.points.end(), [&](const TradeoffPoint& q) {
      const bool no_worse = q.energy_per_unit_j <= p.energy_per_unit_j && better_or_equal(q.metric, p.metric);
      const bool strictly_better = q.energy_per_unit_j < p.energy_per_unit_j || q.metric != p.metric;
      return &q != &p && no_worse && strictly_better;
    });
  }
}

std::vector<std::vector<std::string>> describe_groups(const GroupComparison& comparison) {
  std::vector<std::vector<std::string>> rows = {{comparison.factor, "n", "median", "q1", "q3", "iqr", "min", "max"}};
  for (const auto& [name, values] : comparison.groups) {
    auto d = stats::describe(values);
    if (!d) {
      rows.push_back({name, std::to_string(values.size()), "-", "-", "-", "-", "-", "-"});
      continue;
    }
    rows.push_back({name, std::to_string(d->n), fmt::format("{:.4g}", d->median), fmt::format("{:.4g}", d->q1), fmt::format("{:.4g}", d->q3),
                    fmt::format("{:.4g}", d->iqr), fmt::format("{:.4g}", d->min), fmt::format("{:.4g}", d->max)});
  }
  return rows;
}

std::vector<std::vector<std::string>> test_groups(const GroupComparison& comparison) {
  stats::Groups groups;
  std::vector<std::string> names;
  for (const auto& [name, values] : comparison.groups) {
    groups.push_back(values);
    names.push_back(name);
  }
  std::vector<std::vector<std::string>> rows = {{"test", "statistic", "p", "effect size"}};
  auto skipped = [&](const char* test, const Error& e) { rows.push_back({test, "skipped", "-", e.message}); };
  if (auto k = stats::kruskal_wallis(groups, names)) {
    rows.push_back({"Kruskal-Wallis H", fmt::format("{:.4g}", k->h), fmt::format("{:.3g}", k->p), fmt::format("eta2 {:.3g}", k->eta_squared)});
  } else {
    skipped("Kruskal-Wallis H", k.error());
  }
  if (auto l = stats::levene(groups, names)) {
    rows.push_back({"Levene W (median)", fmt::format("{:.4g}", l->w), fmt::format("{:.3g}", l->p), "-"});
  } else {
    skipped("Levene W (median)", l.error());
  }
  if (groups.size() == 2) {
    if (auto m = stats::mann_whitney(groups[0], groups[1])) {
      rows.push_back({"Mann-Whitney U", fmt::format("{:.4g}", m->u), fmt::format("{:.3g}", m->p), fmt::format("Cliff's delta {:.3g}", m->cliffs_delta)});
    } else {
      skipped("Mann-Whitney U", m.error());
    }
  } else if (auto d = stats::dunn(groups, names)) {
    for (const auto& pair : d->pairs) {
      rows.push_back({"Dunn " + names[pair.first] + " vs " + names[pair.second], fmt::format("z {:.3g}", pair.z), fmt::format("{:.3g} (Holm)", pair.p_holm), "-"});
    }
  } else {
    skipped("Dunn", d.error());
  }
  return rows;
}

}  // namespace wattcast
