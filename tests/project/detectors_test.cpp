#include <gtest/gtest.h>

#include <cmath>

#include "project/fixed_epoch_detector.h"
#include "project/fluss_detector.h"
#include "project/online_detector.h"
#include "project/synthetic_run.h"

namespace wattcast {
namespace {

EpochTrace energies(const std::vector<double>& joules, double duration_s = 10) {
  EpochTrace trace;
  trace.source = "test";
  for (double e : joules) {
    EpochRecord r;
    r.epoch = static_cast<int>(trace.epochs.size()) + 1;
    r.start_s = duration_s * (r.epoch - 1);
    r.end_s = r.start_s + duration_s;
    r.energy_j = e;
    trace.epochs.push_back(r);
  }
  return trace;
}

TEST(OnlineDetectorTest, FindsTheEpochAfterALevelShift) {
  auto trace = energies({700, 710, 705, 695, 702, 700, 1000, 1005, 995, 1002, 998, 1001});
  auto found = OnlineDetector().detect(trace);
  ASSERT_TRUE(found.ok()) << found.error().message;
  EXPECT_EQ(found->epoch, 7);
  EXPECT_EQ(found->detector, "online");
  EXPECT_GT(found->confidence, 0.5);
}

TEST(OnlineDetectorTest, StepsOverALoneOddEpoch) {
  auto trace = energies({500, 1000, 1003, 998, 1300, 1001, 999, 1002});
  auto found = OnlineDetector().detect(trace);
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->epoch, 2);
}

TEST(OnlineDetectorTest, APeriodicValidationEpochDoesNotHideStability) {
  // Every third epoch validates (+15% energy); level from epoch 4 on.
  std::vector<double> joules = {400, 450, 500};
  for (int e = 4; e <= 18; ++e) joules.push_back(e % 3 == 0 ? 1150 : 1000 + (e % 2));
  auto found = OnlineDetector().detect(energies(joules));
  ASSERT_TRUE(found.ok()) << found.error().message;
  EXPECT_EQ(found->epoch, 4);
  EXPECT_NE(found->note.find("repeating every 3"), std::string::npos) << found->note;
}

TEST(OnlineDetectorTest, NotStableWhileTheLevelKeepsMoving) {
  auto found = OnlineDetector().detect(energies({100, 200, 300, 400, 500, 600}));
  ASSERT_FALSE(found.ok());
  EXPECT_NE(found.error().message.find("not stable yet"), std::string::npos);
  EXPECT_FALSE(OnlineDetector().detect(energies({100, 100})).ok());
}

TEST(FixedEpochDetectorTest, IsTheStudysEpoch10) {
  auto found = FixedEpochDetector().detect(energies({1, 2, 3}));
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->epoch, 10);
  EXPECT_EQ(make_detector("fixed").value()->name(), "fixed");
  EXPECT_FALSE(make_detector("magic").ok());
}

TEST(FlussDetectorTest, FindsAPhaseSwitchInTheTrace) {
  SyntheticRunOptions options;
  options.epochs = 40;
  options.phase_switch_epoch = 9;
  options.seed = 7;
  const SyntheticRun run = generate_synthetic_run(options);
  auto found = FlussDetector().detect(run.trace);
  ASSERT_TRUE(found.ok()) << found.error().message;
  EXPECT_NEAR(found->epoch, 9, 2);
  EXPECT_GT(found->confidence, 0.4);
}

TEST(FlussDetectorTest, NoSwitchIsNoClearChange) {
  SyntheticRunOptions options;
  options.epochs = 40;
  options.warmup_epochs = 0;
  options.seed = 8;
  auto found = FlussDetector().detect(generate_synthetic_run(options).trace);
  ASSERT_FALSE(found.ok());
  EXPECT_NE(found.error().message.find("no clear regime change"), std::string::npos) << found.error().message;
}

TEST(FlussDetectorTest, ConstantTracesAndMissingTracesAreNamed) {
  EpochTrace constant = energies(std::vector<double>(12, 1000));
  constant.power.bin_s = 1;
  constant.power.power_w.assign(120, 100.0);
  auto flat = FlussDetector().detect(constant);
  ASSERT_FALSE(flat.ok());
  EXPECT_NE(flat.error().message.find("constant"), std::string::npos);

  auto no_trace = FlussDetector().detect(energies(std::vector<double>(12, 1000)));
  ASSERT_FALSE(no_trace.ok());
  EXPECT_NE(no_trace.error().message.find("only per-epoch figures"), std::string::npos);
}

TEST(FlussDetectorTest, GapsInTheTraceAreSkippedNotFatal) {
  SyntheticRunOptions options;
  options.epochs = 40;
  options.phase_switch_epoch = 12;
  options.seed = 9;
  SyntheticRun run = generate_synthetic_run(options);
  for (size_t i = 1500; i < 1600; ++i) run.trace.power.power_w[i] = std::nan("");
  auto found = FlussDetector().detect(run.trace);
  ASSERT_TRUE(found.ok()) << found.error().message;
  EXPECT_NEAR(found->epoch, 12, 2);
}

}  // namespace
}  // namespace wattcast
