#include "experiment/comparison.h"

#include <gtest/gtest.h>

namespace wattcast {
namespace {

RunMetrics run(std::map<std::string, std::string> tags, std::map<std::string, double> values, bool succeeded = true) {
  RunMetrics m;
  m.run.tags = std::move(tags);
  m.values = std::move(values);
  m.succeeded = succeeded;
  return m;
}

std::vector<RunMetrics> three_groups() {
  std::vector<RunMetrics> runs;
  const double energies[3][4] = {{10, 11, 12, 13}, {20, 21, 22, 24}, {30, 33, 31, 35}};
  const char* levels[3] = {"64", "8", "16"};
  for (int g = 0; g < 3; ++g) {
    for (double e : energies[g]) runs.push_back(run({{"batch_size", levels[g]}}, {{"energy_kj", e}}));
  }
  runs.push_back(run({{"batch_size", "8"}}, {{"energy_kj", 1000}}, false));  // failed: left out
  return runs;
}

TEST(ComparisonTest, GroupsInNumericOrderWithEveryTest) {
  auto c = compare_runs(three_groups(), "batch_size", "energy_kj");
  ASSERT_TRUE(c.ok()) << c.error().message;
  ASSERT_EQ(c->groups.size(), 3u);
  EXPECT_EQ(c->groups[0].level, "8");
  EXPECT_EQ(c->groups[2].level, "64");
  EXPECT_DOUBLE_EQ(c->groups[0].describe.median, 21.5);
  EXPECT_EQ(c->groups[0].describe.n, 4u);
  ASSERT_TRUE(c->kruskal_wallis && c->levene && c->dunn);
  EXPECT_LT(c->kruskal_wallis->p, 0.05);
  EXPECT_EQ(c->dunn->pairs.size(), 3u);
  EXPECT_FALSE(c->mann_whitney.has_value());  // three groups
  EXPECT_TRUE(c->skipped.empty());
}

TEST(ComparisonTest, SmallGroupsSkipTheTestsThatNeedMoreAndSayWhy) {
  std::vector<RunMetrics> runs = {run({{"gpu", "a"}}, {{"energy_kj", 1}}), run({{"gpu", "a"}}, {{"energy_kj", 2}}),
                                  run({{"gpu", "b"}}, {{"energy_kj", 3}}), run({{"gpu", "b"}}, {{"energy_kj", 5}})};
  auto c = compare_runs(runs, "gpu", "energy_kj");
  ASSERT_TRUE(c.ok());
  // Shapiro-Wilk needs 3 values in each group; Levene has no spread of deviations to compare.
  ASSERT_EQ(c->skipped.size(), 3u);
  EXPECT_NE(c->skipped[0].find("Shapiro-Wilk, gpu=a"), std::string::npos) << c->skipped[0];
  EXPECT_NE(c->skipped[1].find("Shapiro-Wilk, gpu=b"), std::string::npos) << c->skipped[1];
  EXPECT_EQ(c->skipped[2].rfind("Levene", 0), 0u) << c->skipped[2];
  ASSERT_TRUE(c->mann_whitney.has_value());
  EXPECT_DOUBLE_EQ(c->mann_whitney->cliffs_delta, -1);
}

TEST(ComparisonTest, AMissingFactorOrMetricNamesWhatThereIs) {
  auto no_factor = compare_runs(three_groups(), "gpu", "energy_kj");
  ASSERT_FALSE(no_factor.ok());
  EXPECT_NE(no_factor.error().message.find("tags seen: batch_size"), std::string::npos) << no_factor.error().message;
  auto no_metric = compare_runs(three_groups(), "batch_size", "val_f1");
  ASSERT_FALSE(no_metric.ok());
  EXPECT_NE(no_metric.error().message.find("metrics seen: energy_kj"), std::string::npos);
}

TEST(TradeoffTest, ParetoFrontAndSavingsAgainstTheBest) {
  std::vector<RunMetrics> runs = {
      run({{"arch", "vgg16"}}, {{"energy_per_sample_j", 10}, {"val_f1", 0.95}}),
      run({{"arch", "mobilenet"}}, {{"energy_per_sample_j", 2}, {"val_f1", 0.93}}),
      run({{"arch", "resnet"}}, {{"energy_per_sample_j", 6}, {"val_f1", 0.92}}),  // dominated by mobilenet
  };
  auto t = tradeoff(runs, "energy_per_sample_j", "val_f1");
  ASSERT_TRUE(t.ok()) << t.error().message;
  ASSERT_EQ(t->rows.size(), 3u);
  EXPECT_EQ(t->rows[0].configuration, "arch=mobilenet");
  EXPECT_TRUE(t->rows[0].pareto);
  EXPECT_FALSE(t->rows[1].pareto);
  EXPECT_TRUE(t->rows[2].pareto);
  EXPECT_DOUBLE_EQ(t->rows[0].energy_saving_pct, 80);  // against vgg16, the best F1
  EXPECT_NEAR(t->rows[0].metric_change, -0.02, 1e-12);
}

TEST(CorrelationTest, SpearmanOverRunsOrWhyNot) {
  std::vector<RunMetrics> runs;
  for (int i = 1; i <= 6; ++i) runs.push_back(run({}, {{"batch", double(i)}, {"energy_kj", 100.0 / i}}));
  auto c = correlate_runs(runs, "batch", "energy_kj");
  ASSERT_TRUE(c.spearman.has_value());
  EXPECT_DOUBLE_EQ(c.spearman->rho, -1);
  auto none = correlate_runs(runs, "batch", "val_f1");
  EXPECT_FALSE(none.spearman.has_value());
  EXPECT_NE(none.skipped.find("0 runs"), std::string::npos);
}

// The README's `compare --correlate batch_size energy_kj`: a factor whose levels are numbers is a
// number to correlate.
TEST(ComparisonTest, CorrelatesATagWhoseLevelsAreNumbers) {
  auto c = correlate_runs(three_groups(), "batch_size", "energy_kj");
  ASSERT_TRUE(c.spearman.has_value()) << c.skipped;
  EXPECT_EQ(c.spearman->n, 12u);
  EXPECT_LT(c.spearman->rho, 0);  // batch 64 draws the least here
}

// One run per group: every test across groups is skipped alike, Mann-Whitney included (a p of 1
// from one value against one says nothing), and no reason names its test twice.
TEST(ComparisonTest, OneRunAgainstOneSkipsEveryTestWithOneReasonEach) {
  std::vector<RunMetrics> runs = {run({{"lr", "0.1"}}, {{"energy_kj", 1}}), run({{"lr", "0.01"}}, {{"energy_kj", 2}})};
  auto c = compare_runs(runs, "lr", "energy_kj");
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_FALSE(c->mann_whitney.has_value());
  EXPECT_FALSE(c->kruskal_wallis.has_value());
  bool mann_whitney_said = false;
  for (const auto& reason : c->skipped) {
    mann_whitney_said = mann_whitney_said || reason.rfind("Mann-Whitney U: ", 0) == 0;
    for (const char* test : {"Levene", "Kruskal-Wallis", "Dunn", "Mann-Whitney U", "Shapiro-Wilk"}) {
      const std::string name(test);
      EXPECT_EQ(reason.find(name + ": " + name), std::string::npos) << reason;
      EXPECT_EQ(reason.find(name + ": ", reason.find(name + ": ") + 1), std::string::npos) << reason;
    }
  }
  EXPECT_TRUE(mann_whitney_said);
}

}  // namespace
}  // namespace wattcast
