#include "report/group_comparison.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "core/human_numbers.h"
#include "stats/descriptive.h"
#include "stats/input_checks.h"
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
    rows.push_back({name, std::to_string(d->n), plain_number(d->median), plain_number(d->q1), plain_number(d->q3),
                    plain_number(d->iqr), plain_number(d->min), plain_number(d->max)});
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
  // Every test holds the groups to the size Kruskal-Wallis needs: a test of one value against
  // one says nothing, whichever test it is.
  if (auto k = stats::kruskal_wallis(groups, names)) {
    rows.push_back({"Kruskal-Wallis H", plain_number(k->h), plain_number(k->p, 3), "eta2 " + plain_number(k->eta_squared, 3)});
  } else {
    skipped("Kruskal-Wallis H", k.error());
  }
  if (auto l = stats::levene(groups, names)) {
    rows.push_back({"Levene W (median)", plain_number(l->w), plain_number(l->p, 3), "-"});
  } else {
    skipped("Levene W (median)", l.error());
  }
  if (groups.size() == 2) {
    if (Status sizes = stats::check_groups("Mann-Whitney U", groups, names, 2, stats::kKruskalMinGroupSize); !sizes) {
      skipped("Mann-Whitney U", sizes.error());
    } else if (auto m = stats::mann_whitney(groups[0], groups[1])) {
      rows.push_back({"Mann-Whitney U", plain_number(m->u), plain_number(m->p, 3), "Cliff's delta " + plain_number(m->cliffs_delta, 3)});
    } else {
      skipped("Mann-Whitney U", m.error());
    }
  } else if (auto d = stats::dunn(groups, names)) {
    for (const auto& pair : d->pairs) {
      rows.push_back({"Dunn " + names[pair.first] + " vs " + names[pair.second], "z " + plain_number(pair.z, 3), plain_number(pair.p_holm, 3) + " (Holm)", "-"});
    }
  } else {
    skipped("Dunn", d.error());
  }
  return rows;
}

}  // namespace wattcast
