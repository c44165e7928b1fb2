#include "monitor/sampler.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <limits>
#include <mutex>
#include <stdexcept>
#include <utility>

#include "monitor/run_summary.h"
#include "support/eventually.h"
#include "support/refusing_store.h"
#include "store/sqlite_store.h"

namespace wattcast {
namespace {

namespace fs = std::filesystem;
using testing::RefusingStore;

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

// Like NVML's, its energy counter is read only when an anchor is asked for; each read finds it
// `step_j` further on, whatever power says, so anchored figures are told apart from integrated ones.
class AnchoredCounterSensor : public Sensor {
 public:
  AnchoredCounterSensor(double power_w, double step_j) : power_w_(power_w), step_j_(step_j) {
    devices_.push_back({"gpu", "anchored", "a0", 0, Provenance::kMeasured, ""});
  }
  std::string name() const override { return "anchored"; }
  const std::vector<DeviceInfo>& devices() const override { return devices_; }
  void read_counters_next() override { requested_ = true; }
  Status sample(std::vector<Reading>& out) override {
    Reading r;
    r.power_w = power_w_;
    if (std::exchange(requested_, false)) r.energy_j = step_j_ * static_cast<double>(counter_reads++);
    out.push_back(r);
    return ok_status();
  }
  int counter_reads = 0;  // read by the test once the sampler has stopped

 private:
  std::vector<DeviceInfo> devices_;
  double power_w_, step_j_;
  bool requested_ = false;
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

// A run of one counting sensor sampled every millisecond into a RefusingStore, flushed every 10 ms.
struct RefusableRun {
  RefusableRun(const std::string& name, int64_t wanted, size_t max_unstored = SamplerOptions{}.max_unstored_samples)
      : sqlite(std::move(open_sqlite_store(store_path(name))).value()),
        store(*sqlite),
        run(*store.begin_run(RunRecord{})),
        sampler(bindings(wanted), store, options(max_unstored)) {}

  std::vector<SensorBinding> bindings(int64_t wanted) {
    auto sensor = std::make_unique<CountingSensor>(wanted);
    counting = sensor.get();
    std::vector<SensorBinding> out;
    out.push_back({std::move(sensor), {*store.add_device(run, "counting", counting->devices()[0])}});
    return out;
  }
  static SamplerOptions options(size_t max_unstored) {
    SamplerOptions o;
    o.interval = std::chrono::milliseconds(1);
    o.flush_interval = std::chrono::milliseconds(10);
    o.max_unstored_samples = max_unstored;
    return o;
  }

  std::unique_ptr<RunStore> sqlite;
  RefusingStore store;
  int64_t run;
  CountingSensor* counting = nullptr;
  Sampler sampler;
};

// A store that does not answer holds up only the writer thread: markers handed over meanwhile
// are taken at once, and stored when the store answers again.
TEST(SamplerTest, AHungStoreHoldsUpNoCaller) {
  RefusableRun r("hung", 1);
  RefusingStore& store = r.store;
  const int64_t run = r.run;
  Sampler& sampler = r.sampler;
  store.hold();
  sampler.start();
  ASSERT_TRUE(testing::eventually([&] { return store.waiting.load(); }));
  sampler.add_markers({{run, 1.0, "epoch_begin", 1, "", {}, "python"}, {run, 2.0, "epoch_end", 1, "", {}, "python"}});
  (void)sampler.live();
  EXPECT_TRUE(store.waiting);  // still hung: neither call waited for it
  EXPECT_GT(sampler.store_busy_s(), 0);
  store.release();
  ASSERT_TRUE(sampler.stop().ok());
  EXPECT_EQ(store.markers(run)->size(), 2u);
  EXPECT_EQ(static_cast<int64_t>(store.samples(run)->size()), sampler.live().ticks);
}

// Samples the store refuses for a while are kept and stored once it takes writes again: none is
// lost, and the user is told once when it starts and once when it is over.
TEST(SamplerTest, SamplesRefusedForAWhileAreStoredLater) {
  RefusableRun r("refused", 300);
  RefusingStore& store = r.store;
  const int64_t run = r.run;
  CountingSensor* counting = r.counting;
  Sampler& sampler = r.sampler;
  store.refuse = true;
  sampler.start();
  ASSERT_TRUE(testing::eventually([&] { return store.refused >= 3; }));
  store.refuse = false;
  counting->wait_until_reached();
  ASSERT_TRUE(sampler.stop().ok());
  const int64_t taken = sampler.live().ticks;
  EXPECT_EQ(static_cast<int64_t>(store.samples(run)->size()), taken);
  EXPECT_EQ(sampler.unstored().samples, 0);
  const auto warnings = sampler.take_warnings();
  ASSERT_EQ(warnings.size(), 2u);
  EXPECT_NE(warnings[0].find("disk is full"), std::string::npos);
  EXPECT_NE(warnings[1].find("writing again"), std::string::npos);
}

// A store that never takes them again: what is given up is counted by tick, and the monitor's
// own totals still count every sample.
TEST(SamplerTest, SamplesBeyondTheBoundAreGivenUpAndCounted) {
  RefusableRun r("given_up", 200, 50);
  RefusingStore& store = r.store;
  CountingSensor* counting = r.counting;
  Sampler& sampler = r.sampler;
  store.refuse = true;
  sampler.start();
  counting->wait_until_reached();
  EXPECT_FALSE(sampler.stop().ok());
  const int64_t taken = sampler.live().ticks;
  const UnstoredSamples unstored = sampler.unstored();
  EXPECT_EQ(unstored.samples, taken);
  EXPECT_EQ(unstored.first_tick, 0);
  EXPECT_EQ(unstored.last_tick, taken - 1);
  EXPECT_GT(sampler.live().energy_j, 0);
  EXPECT_EQ(sampler.take_warnings().size(), 1u);
}

// Another program holds the SQLite store locked for longer than the busy timeout (20 ms here,
// the monitor's --store-timeout-s in use): the refused samples and markers wait in memory, the
// user is told, and once the lock is gone every one of them is stored.
TEST(SamplerTest, ALockedSqliteStoreLosesNoSampleNorMarker) {
  const std::string path = store_path("locked");
  auto store = std::move(open_sqlite_store(path, std::chrono::milliseconds(20))).value();
  const int64_t run = *store->begin_run(RunRecord{});
  auto sensor = std::make_unique<CountingSensor>(std::numeric_limits<int64_t>::max());
  const DeviceInfo device = sensor->devices()[0];
  std::vector<SensorBinding> bindings;
  bindings.push_back({std::move(sensor), {*store->add_device(run, "counting", device)}});
  SamplerOptions options;
  options.interval = std::chrono::milliseconds(1);
  options.flush_interval = std::chrono::milliseconds(10);
  Sampler sampler(std::move(bindings), *store, options);

  sqlite3* other = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &other), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(other, "BEGIN EXCLUSIVE", nullptr, nullptr, nullptr), SQLITE_OK);
  sampler.start();
  sampler.add_markers({{run, 1.0, "epoch_begin", 1, "", {}, "python"}, {run, 2.0, "epoch_end", 1, "", {{"loss", 0.5}}, "python"}});
  std::vector<std::string> warnings;
  auto warned = [&](size_t count) {
    return testing::eventually([&] {
      for (auto& w : sampler.take_warnings()) warnings.push_back(std::move(w));
      return warnings.size() >= count;
    });
  };
  ASSERT_TRUE(warned(1));
  EXPECT_NE(warnings[0].find("database is locked"), std::string::npos) << warnings[0];
  EXPECT_EQ(store->markers(run)->size(), 0u);
  ASSERT_EQ(sqlite3_exec(other, "COMMIT", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(other);
  ASSERT_TRUE(warned(2));
  EXPECT_NE(warnings[1].find("writing again"), std::string::npos) << warnings[1];
  ASSERT_TRUE(sampler.stop().ok());

  const int64_t taken = sampler.live().ticks;
  const auto samples = *store->samples(run);
  ASSERT_EQ(static_cast<int64_t>(samples.size()), taken);
  for (int64_t i = 0; i < taken; ++i) ASSERT_EQ(samples[static_cast<size_t>(i)].tick, i);
  EXPECT_EQ(sampler.unstored().samples, 0);
  const auto markers = *store->markers(run);
  ASSERT_EQ(markers.size(), 2u);
  EXPECT_EQ(markers[1].metrics.at("loss"), 0.5);
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

namespace wattcast {
namespace {

struct AnchoredRun {
  std::unique_ptr<RunStore> store;
  int64_t run = 0;
  AnchoredCounterSensor* sensor = nullptr;
  std::unique_ptr<Sampler> sampler;
};

// One long interval: the only samples are the first, the anchors asked for and the last.
AnchoredRun start_anchored_run(const std::string& name, double power_w, double step_j) {
  AnchoredRun r;
  r.store = std::move(open_sqlite_store(store_path(name))).value();
  r.run = *r.store->begin_run(RunRecord{});
  auto sensor = std::make_unique<AnchoredCounterSensor>(power_w, step_j);
  r.sensor = sensor.get();
  std::vector<SensorBinding> bindings;
  bindings.push_back({std::move(sensor), {*r.store->add_device(r.run, "anchored", r.sensor->devices()[0])}});
  SamplerOptions options;
  options.interval = std::chrono::hours(1);
  r.sampler = std::make_unique<Sampler>(std::move(bindings), *r.store, options);
  r.sampler->start();
  return r;
}

TEST(SamplerAnchorTest, AnEpochMarkerGetsTheCountersOwnEnergy) {
  AnchoredRun r = start_anchored_run("anchor", 100, 1000);
  // The first sample is an anchor of its own; the marker comes after it.
  ASSERT_TRUE(wattcast::testing::eventually([&] { return r.sampler->live().ticks >= 1; }));
  // The counter's second read, less 100 W over the milliseconds between the marker and the anchor;
  // not 100 W integrated since the start.
  const double at_marker = r.sampler->anchored_energy_j(unix_time_s());
  EXPECT_LE(at_marker, 1000);
  EXPECT_GT(at_marker, 995);
  // A marker received before the last anchor is covered by it: no costly read again, and never
  // less than an energy already handed out.
  const double again = r.sampler->anchored_energy_j(0);
  EXPECT_GE(again, at_marker);
  EXPECT_LE(again, 1000);
  ASSERT_TRUE(r.sampler->stop().ok());
  EXPECT_EQ(r.sensor->counter_reads, 3) << "first sample, the marker's anchor, the last sample";

  const auto samples = *r.store->samples(r.run);
  ASSERT_EQ(samples.size(), 3u);
  for (const auto& sample : samples) EXPECT_TRUE(sample.reading.energy_j.has_value());
  auto summary = summarize_run(*r.store, r.run);
  ASSERT_TRUE(summary.ok()) << summary.error().message;
  EXPECT_DOUBLE_EQ(summary->energy_j, 2000) << "the run's total is the counter's difference";
}

TEST(SamplerAnchorTest, LiveEnergyNeverGoesBackWhenTheCounterIsBelowThePowerIntegral) {
  // 10 MW integrated between anchors runs far ahead of a counter that moves 1 mJ a read.
  AnchoredRun r = start_anchored_run("monotone", 1e7, 1e-3);
  double previous = r.sampler->live().energy_j;
  for (int i = 0; i < 5; ++i) {
    const double energy = r.sampler->anchored_energy_j(unix_time_s());
    EXPECT_GE(energy, previous);
    previous = energy;
  }
  ASSERT_TRUE(r.sampler->stop().ok());
  EXPECT_GE(r.sampler->live().energy_j, previous);
  for (const auto& total : r.sampler->device_totals()) EXPECT_GE(total.energy_j, 0);
}

}  // namespace
}  // namespace wattcast
