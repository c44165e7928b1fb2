#include "estimate/baseline_methods.h"

#include <gtest/gtest.h>

namespace wattcast {
namespace {

TrainingConfig rtx3090_config() {
  TrainingConfig c;
  c.gpu = {"RTX 3090", 10496, 24, 350, 35.58, "Ampere", ""};
  c.gflops = 2.0;
  c.batch_size = 32;
  c.input_size = 128;
  c.train_samples = 10000;
  c.val_samples = 2000;
  c.total_ram_gb = 16;
  c.epochs = 10;
  return c;
}

TEST(BaselineMethodsTest, Mlco2DrawsTdpForTheGivenDuration) {
  GivenDuration two_hours(7200);
  Mlco2Estimator mlco2(two_hours);
  const EpochPrediction p = mlco2.predict(rtx3090_config());
  EXPECT_DOUBLE_EQ(p.avg_power_w, 350);
  EXPECT_DOUBLE_EQ(p.epoch_time_s, 720);
  EXPECT_DOUBLE_EQ(p.epoch_energy_j, 350 * 720);
}

TEST(BaselineMethodsTest, GreenAlgorithmsAddsTheMemoryTerm) {
  GivenDuration hour(3600);
  GreenAlgorithmsEstimator ga(hour);
  EXPECT_DOUBLE_EQ(ga.predict(rtx3090_config()).avg_power_w, 350 + 16 * 0.3725);
}

TEST(BaselineMethodsTest, FlopsProxyUsesPeakThroughputAtAssumedUtilization) {
  FlopsProxyEstimator flops;
  const TrainingConfig c = rtx3090_config();
  const double epoch_flops = 2e9 * (3 * 10000 + 2000);
  EXPECT_DOUBLE_EQ(FlopsProxyEstimator::epoch_flops(c), epoch_flops);
  EXPECT_NEAR(flops.predict(c).epoch_time_s, epoch_flops / (35.58e12 * 0.30), 1e-9);
  TrainingConfig unknown = c;
  unknown.gpu.fp32_tflops.reset();
  EXPECT_DOUBLE_EQ(FlopsProxyEstimator::peak_flops_per_s(unknown.gpu), 2 * 10496 * 1.5e9);
}

}  // namespace
}  // namespace wattcast
