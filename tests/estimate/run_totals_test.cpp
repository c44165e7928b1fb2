#include "estimate/run_totals.h"

#include <gtest/gtest.h>

namespace wattcast {
namespace {

class FixedEstimator : public Estimator {
 public:
  std::string name() const override { return "fixed"; }
  EpochPrediction predict(const TrainingConfig&) const override {
    EpochPrediction p = from_power_and_time(200, 100);
    p.epoch_energy_j_90 = Interval{18000, 22000};
    return p;
  }
};

TEST(RunTotalsTest, ScalesEpochsPueCarbonAndGpus) {
  TrainingConfig config;
  config.epochs = 10;
  config.gpu_count = 2;
  CarbonContext carbon;
  carbon.g_co2e_per_kwh = 360;
  carbon.pue = 1.5;
  const RunEstimate run = run_totals(FixedEstimator(), config, carbon);
  EXPECT_DOUBLE_EQ(run.avg_power_w, 400);
  EXPECT_DOUBLE_EQ(run.epoch_time_s, 50);
  EXPECT_DOUBLE_EQ(run.duration_s, 500);
  EXPECT_DOUBLE_EQ(run.energy_j, 200.0 * 100 * 10 * 1.5);
  EXPECT_NEAR(run.co2e_g, 200.0 * 100 * 10 * 1.5 / 3.6e6 * 360, 1e-9);
  ASSERT_TRUE(run.energy_j_90.has_value());
  EXPECT_DOUBLE_EQ(run.energy_j_90->lo, 18000.0 * 10 * 1.5);
  EXPECT_FALSE(run.avg_power_w_90.has_value());
}

}  // namespace
}  // namespace wattcast
