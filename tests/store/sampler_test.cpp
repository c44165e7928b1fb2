#include "monitor/sampler.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <stdexcept>

#include "monitor/run_summary.h"
#include "store/sqlite_store.h"

namespace wattcast {
namespace {

namespace fs = std::filesystem;

// Counts its samples and tells the test when it has been sampled enough times.
class CountingSensor : public Sensor {
 public:
  explicit CountingSensor(int64_t wanted) : wanted_(wanted) { devices_.push_back({"gpu", "counting", "c0", 0, Provenance::kMeasured, ""}); }
  std::string name() const override { return "counting"; }
  const std::vector<DeviceInfo>& devices() const override { return devices_; }
  Status sample(std::vector<Reading>& out) override {
    Reading r;
    r.power_w = 100;
    out.push_back(r);
    const std::lock_guard<std::mutex> lock(mutex_);
    if (++count_ == wanted_) reached_.notify_all();
    return ok_status();
  }
  void wait_until_reached() {
    std::unique_lock<std::mutex> lock(mutex_);
    reached_.wait(lock, [this] { return count_ >= wanted_; });
  }

 private:
  std::vector<DeviceInfo> devices_;
  int64_t wanted_;
  int64_t count_ = 0;
  std::mutex mutex_;
  std::condition_variable reached_;
};

// Fails with an error, or, like a buggy driver binding, throws.
class FailingSensor : public Sensor {
 public:
  explicit FailingSensor(bool throws) : throws_(throws) { devices_.push_back({"cpu", "failing", "f0", 0, Provenance::kMeasured, ""}); }
  std::string name() const override { return "failing"; }
  const std::vector<DeviceInfo>& devices() const override { return devices_; }
  Status sample(std::vector<Reading>&) override {
    ++calls;
    if (throws_) throw std::runtime_error("device lost");
    return Error{"device lost"};
  }
  int calls = 0;

 private:
  bool throws_;
  std::vector<DeviceInfo> devices_;
};

std::string store_path(const std::string& name) {
  const auto path = fs::temp_directory_path() / ("wattcast_sampler_" + std::to_string(::getpid()) + "_" + name + ".db");
  fs::remove(path);
  return path.string();
}

// 1 ms sampling for 10,000 ticks (10 s): every tick is stored exactly once, in order.
TEST(SamplerTest, OneMillisecondSamplingLosesAndDuplicatesNothing) {
  auto store = std::move(open_sqlite_store(store_path("1ms"))).value();
  const int64_t run = *store->begin_run(RunRecord{});
  auto sensor = std::make_unique<CountingSensor>(10000);
  CountingSensor* counting = sensor.get();
  std::vector<SensorBinding> bindings;
  bindings.push_back({std::move(sensor), {*store->add_device(run, "counting", counting->devices()[0])}});
  SamplerOptions options;
  options.interval = std::chrono::milliseconds(1);
  Sampler sampler(std::move(bindings), *store, options);
  sampler.start();
  counting->wait_until_reached();
  ASSERT_TRUE(sampler.stop().ok());

  const int64_t taken = sampler.live().ticks;
  const auto samples = *store->samples(run);
  ASSERT_GE(taken, 10000);
  ASSERT_EQ(static_cast<int64_t>(samples.size()), taken);
  for (int64_t i = 0; i < taken; ++i) ASSERT_EQ(samples[static_cast<size_t>(i)].tick, i);
  for (size_t i = 1; i < samples.size(); ++i) ASSERT_GE(samples[i].t_s, samples[i - 1].t_s);
}

class SamplerFailureTest : public ::testing::TestWithParam<bool> {};

// A throwing sensor costs its own figures only, as a failing one does, not the sampler thread.
TEST_P(SamplerFailureTest, FailingSensorIsReportedOnceAndSkipped) {
  auto store = std::move(open_sqlite_store(store_path(GetParam() ? "throwing" : "failing"))).value();
  const int64_t run = *store->begin_run(RunRecord{});
  auto failing = std::make_unique<FailingSensor>(GetParam());
  FailingSensor* failing_ptr = failing.get();
  auto counting = std::make_unique<CountingSensor>(20);
  CountingSensor* counting_ptr = counting.get();
  std::vector<SensorBinding> bindings;
  bindings.push_back({std::move(failing), {*store->add_device(run, "failing", failing_ptr->devices()[0])}});
  bindings.push_back({std::move(counting), {*store->add_device(run, "counting", counting_ptr->devices()[0])}});
  SamplerOptions options;
  options.interval = std::chrono::milliseconds(1);
  Sampler sampler(std::move(bindings), *store, options);
  sampler.start();
  counting_ptr->wait_until_reached();
  ASSERT_TRUE(sampler.stop().ok());
  EXPECT_EQ(failing_ptr->calls, 1);
  const auto warnings = sampler.take_warnings();
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("device lost"), std::string::npos);
  // Power integrates into the live energy total: 100 W over the sampled span.
  EXPECT_GT(sampler.live().energy_j, 0);
}

INSTANTIATE_TEST_SUITE_P(ErrorOrException, SamplerFailureTest, ::testing::Bool());

// The running totals the exporter publishes are the summary's figures, not an approximation.
TEST(SamplerTest, DeviceTotalsMatchTheSummaryOfWhatWasStored) {
  auto store = std::move(open_sqlite_store(store_path("totals"))).value();
  const int64_t run = *store->begin_run(RunRecord{});
  auto sensor = std::make_unique<CountingSensor>(300);
  CountingSensor* counting = sensor.get();
  const int64_t device = *store->add_device(run, "counting", counting->devices()[0]);
  std::vector<SensorBinding> bindings;
  bindings.push_back({std::move(sensor), {device}});
  SamplerOptions options;
  options.interval = std::chrono::milliseconds(1);
  Sampler sampler(std::move(bindings), *store, options);
  ASSERT_EQ(sampler.device_totals().size(), 1u);
  EXPECT_FALSE(sampler.device_totals()[0].has_energy);
  sampler.start();
  counting->wait_until_reached();
  ASSERT_TRUE(sampler.stop().ok());

  const auto totals = sampler.device_totals();
  ASSERT_EQ(totals.size(), 1u);
  EXPECT_EQ(totals[0].device_id, device);
  EXPECT_TRUE(totals[0].has_energy);
  EXPECT_EQ(totals[0].power_w, 100);
  const RunSummary summary = *summarize_run(*store, run);
  EXPECT_GT(summary.energy_j, 0);
  EXPECT_DOUBLE_EQ(totals[0].energy_j, summary.devices[0].energy_j);
  EXPECT_EQ(sampler.live().samples_stored, static_cast<int64_t>(summary.devices[0].samples));
}

}  // namespace
}  // namespace wattcast
