#include "experiment/experiment_plan.h"

#include <gtest/gtest.h>

#include <set>

#include "experiment/experiment_schedule.h"
#include "fakes/temp_tree.h"

namespace wattcast {
namespace {

const char* kPlan = R"(name = "bs"
command = "python train.py --arch {arch} --bs {batch_size}"
repetitions = 3
seed = 7
cooldown_s = 300
timeout_s = 3600
epochs = 20
train_samples = 23807
[factors]
arch = ["resnet50", "vgg16"]
batch_size = [32, 64, 128]
[measure]
interval_ms = 100
region = "DEU"
[estimate]
gpu = "RTX 3090"
arch = "{arch}"
)";

TEST(ExperimentPlanTest, ReadsEveryPart) {
  testing::TempTree tree;
  tree.write("plan.toml", kPlan);
  auto plan = read_experiment_plan(tree.path("plan.toml"));
  ASSERT_TRUE(plan.ok()) << plan.error().message;
  EXPECT_EQ(plan->name, "bs");
  ASSERT_EQ(plan->factors.size(), 2u);
  EXPECT_EQ(plan->factors[1].levels, (std::vector<std::string>{"32", "64", "128"}));
  EXPECT_EQ(plan->repetitions, 3);
  EXPECT_EQ(plan->seed, 7u);
  EXPECT_DOUBLE_EQ(plan->cooldown_s, 300);
  EXPECT_DOUBLE_EQ(*plan->timeout_s, 3600);
  EXPECT_EQ(plan->measure.at("region"), "DEU");
  EXPECT_EQ(plan->estimate.at("arch"), "{arch}");
}

TEST(ExperimentPlanTest, BadPlansNameTheLineAndTheField) {
  testing::TempTree tree;
  auto error_of = [&](const std::string& content) {
    tree.write("bad.toml", content);
    auto plan = read_experiment_plan(tree.path("bad.toml"));
    return plan.ok() ? std::string("accepted") : plan.error().message;
  };
  EXPECT_NE(error_of("command = \"x {a}\"\nrepeats = 3\n[factors]\na = [1]\n").find("bad.toml:2: field 'repeats': unknown key"), std::string::npos);
  EXPECT_NE(error_of("command = \"x {a}\"\nrepetitions = 0\n[factors]\na = [1]\n").find("repetitions"), std::string::npos);
  EXPECT_NE(error_of("command = \"x {a} {lr}\"\n[factors]\na = [1]\n").find("{lr} is not a factor"), std::string::npos);
  EXPECT_NE(error_of("command = \"x\"\n[factors]\na = [1, 2]\n").find("factor 'a' is not used"), std::string::npos);
  EXPECT_NE(error_of("command = \"x {a}\"\n[factors]\na = []\n").find("non-empty array"), std::string::npos);
  EXPECT_NE(error_of("command = \"x {trial}\"\n[factors]\ntrial = [1]\n").find("reserved"), std::string::npos);
  EXPECT_NE(error_of("[factors]\na = [1]\n").find("command"), std::string::npos);
  EXPECT_NE(error_of("command = \"x {a}\"\n[factors]\na = [1]\n[measure]\nspeed = 3\n").find("measure.speed"), std::string::npos);
  EXPECT_NE(error_of("command = = 3\n").find("bad.toml:1"), std::string::npos);
}

// The same rules as measure's flags, and bounds that keep a plan runnable.
TEST(ExperimentPlanTest, NumbersOutOfBoundsNameTheLineAndTheField) {
  testing::TempTree tree;
  auto error_of = [&](const std::string& lines) {
    tree.write("bounds.toml", "command = \"x {a}\"\n" + lines + "[factors]\na = [1, 2]\n");
    auto plan = read_experiment_plan(tree.path("bounds.toml"));
    return plan.ok() ? std::string("accepted") : plan.error().message;
  };
  EXPECT_NE(error_of("repetitions = 4294967297\n").find("bounds.toml:2: field 'repetitions': must be at most 10000"), std::string::npos)
      << error_of("repetitions = 4294967297\n");
  EXPECT_NE(error_of("repetitions = 1000000000\n").find("bounds.toml:2: field 'repetitions'"), std::string::npos);
  EXPECT_NE(error_of("timeout_s = 0\n").find("bounds.toml:2: field 'timeout_s': must be more than 0"), std::string::npos);
  EXPECT_NE(error_of("cooldown_s = 1e300\n").find("bounds.toml:2: field 'cooldown_s': must be at most"), std::string::npos);
  EXPECT_NE(error_of("seed = 1e300\n").find("field 'seed'"), std::string::npos);
  EXPECT_NE(error_of("epochs = 2.5\n").find("field 'epochs': expected a whole number"), std::string::npos);
  EXPECT_NE(error_of("[measure]\ninterval_ms = 0\n").find("bounds.toml:3: field 'measure.interval_ms': must be at least 1"), std::string::npos)
      << error_of("[measure]\ninterval_ms = 0\n");
  EXPECT_NE(error_of("[measure]\npue = 0.5\n").find("field 'measure.pue'"), std::string::npos);
  EXPECT_EQ(error_of("repetitions = 3\ntimeout_s = 60\ncooldown_s = 300\n[measure]\ninterval_ms = 50\n"), "accepted");
}

TEST(ExperimentPlanTest, TooManyRunsInAllIsRefused) {
  testing::TempTree tree;
  tree.write("many.toml", "command = \"x {a} {b}\"\nrepetitions = 1000\n[factors]\na = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]\nb = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]\n");
  auto plan = read_experiment_plan(tree.path("many.toml"));
  ASSERT_FALSE(plan.ok());
  EXPECT_NE(plan.error().message.find("many.toml:2: field 'repetitions': 110 configurations x 1000 repetitions = 110000 runs"), std::string::npos)
      << plan.error().message;
}

TEST(ExperimentScheduleTest, EveryConfigurationRepeatedInASeededRandomOrder) {
  testing::TempTree tree;
  tree.write("plan.toml", kPlan);
  const ExperimentPlan plan = read_experiment_plan(tree.path("plan.toml")).value();
  const auto trials = make_schedule(plan);
  ASSERT_EQ(trials.size(), 2u * 3u * 3u);
  std::map<std::string, int> per_configuration;
  for (size_t i = 0; i < trials.size(); ++i) {
    EXPECT_EQ(trials[i].index, static_cast<int>(i) + 1);
    ++per_configuration[configuration_label(trials[i].levels)];
  }
  EXPECT_EQ(per_configuration.size(), 6u);
  for (const auto& [configuration, count] : per_configuration) EXPECT_EQ(count, 3) << configuration;
  EXPECT_EQ(trials[0].command, expand_template(plan.command, trials[0].levels));
  // The same seed, the same order; another seed, another order.
  EXPECT_EQ(make_schedule(plan)[5].command, trials[5].command);
  ExperimentPlan other = plan;
  other.seed = 8;
  std::vector<std::string> a, b;
  for (const auto& t : trials) a.push_back(t.command);
  for (const auto& t : make_schedule(other)) b.push_back(t.command);
  EXPECT_NE(a, b);
}

TEST(ExperimentScheduleTest, TemplatesReplaceEveryPlaceholder) {
  EXPECT_EQ(expand_template("{a}-{b}-{a}", {{"a", "1"}, {"b", "x"}}), "1-x-1");
  EXPECT_EQ(expand_template("{a}", {{"a", "{a}"}}), "{a}");
}

}  // namespace
}  // namespace wattcast
