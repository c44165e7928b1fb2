#pragma once
// `compare`: runs grouped by a factor, one metric, the study's statistics. Per group n, median,
// IQR and Shapiro-Wilk; across groups Levene (median-centred), Kruskal-Wallis with eta-squared
// and Dunn's post-hoc test (Holm and Bonferroni); for two groups Mann-Whitney U with Cliff's
// delta. A test a group is too small for is skipped with the reason, not failed.

#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "experiment/run_metrics.h"
#include "stats/descriptive.h"
#include "stats/dunn.h"
#include "stats/kruskal_wallis.h"
#include "stats/levene.h"
#include "stats/mann_whitney.h"
#include "stats/shapiro_wilk.h"
#include "stats/spearman.h"

namespace wattcast {

struct GroupSummary {
  std::string level;
  std::vector<double> values;
  stats::Descriptive describe;
  std::optional<stats::ShapiroWilk> shapiro_wilk;
};

struct Comparison {
  std::string factor, metric;
  std::vector<GroupSummary> groups;  // in level order (numeric when every level is a number)
  std::optional<stats::Levene> levene;
  std::optional<stats::KruskalWallis> kruskal_wallis;
  std::optional<stats::Dunn> dunn;
  std::optional<stats::MannWhitney> mann_whitney;  // two groups only
  std::vector<std::string> skipped;  // "Shapiro-Wilk, group vgg16: ..."
  int runs_without_metric = 0;       // successful runs in a group without the metric
};

// Only successful runs count (finished, exit code 0). Errors: no run has the factor, or none
// has the metric (naming what the runs have instead).
Result<Comparison> compare_runs(const std::vector<RunMetrics>& runs, const std::string& factor, const std::string& metric);

struct Correlation {
  std::string x, y;
  std::optional<stats::Spearman> spearman;
  std::string skipped;
};

Correlation correlate_runs(const std::vector<RunMetrics>& runs, const std::string& x, const std::string& y);

// Energy against a quality metric, per configuration (the medians of its runs): which
// configurations are Pareto-optimal (no other uses less energy and scores at least as well),
// and what each would save or lose against the best-scoring one (the study's "80.7% less
// energy for 1.3 points of F1").
struct TradeoffRow {
  std::string configuration;
  int runs = 0;
  double energy = 0, metric = 0;  // medians
  bool pareto = false;
  double energy_saving_pct = 0;  // against the best-scoring configuration
  double metric_change = 0;      // this one's metric minus the best's
};

struct Tradeoff {
  std::string energy_metric, quality_metric;
  std::vector<TradeoffRow> rows;  // by energy, lowest first
};

// A configuration is a run's tags less the bookkeeping ones (experiment, trial, repetition,
// train_samples): the experiment's factor levels.
Result<Tradeoff> tradeoff(const std::vector<RunMetrics>& runs, const std::string& energy_metric, const std::string& quality_metric,
                          bool higher_quality_is_better = true);

}  // namespace wattcast
