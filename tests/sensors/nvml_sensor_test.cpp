// The NVML sensor against a fake libnvidia-ml (tests/fakes/fake_nvml.cpp), loaded through the
// same dlopen path as the real driver library.

#include "sensors/nvml_sensor.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include "fakes/temp_tree.h"

namespace wattcast {
namespace {

constexpr const char* kUuidA = "GPU-aaaa1111-0000-0000-0000-000000000000";
constexpr const char* kUuidB = "GPU-bbbb2222-0000-0000-0000-000000000000";
constexpr const char* kUuidC = "GPU-bbbb3333-0000-0000-0000-000000000000";

class NvmlSensorTest : public ::testing::Test {
 protected:
  void TearDown() override { ::unsetenv("WATTCAST_FAKE_NVML_SCRIPT"); }

  // The sensor's schedule follows `now_s_`, which the tests step; the fake GPU's clock, with
  // clock=power_calls, moves one 100 ms update period at each power read.
  Result<std::unique_ptr<Sensor>> open_with_script(const std::string& script,
                                                   const std::optional<std::string>& visible = std::nullopt) {
    tree_.write("nvml-script.txt", script);
    ::setenv("WATTCAST_FAKE_NVML_SCRIPT", tree_.path("nvml-script.txt").c_str(), 1);
    return make_nvml_sensor(WATTCAST_FAKE_NVML, visible, [this] { return now_s_; });
  }

  std::string three_gpus() const {
    return std::string("gpu name=NVIDIA A100-SXM4-40GB; uuid=") + kUuidA + "; clock=power_calls\n" +
           "gpu name=NVIDIA H100 80GB HBM3; uuid=" + kUuidB + "; clock=power_calls\n" +
           "gpu name=Tesla P100-PCIE-16GB; uuid=" + kUuidC + "; counter=no\n";
  }

  // One sample per step of `step_s`; the readings of each.
  std::vector<std::vector<Reading>> sample_every(Sensor& sensor, double step_s, int samples) {
    std::vector<std::vector<Reading>> ticks(static_cast<size_t>(samples));
    for (auto& tick : ticks) {
      EXPECT_TRUE(sensor.sample(tick).ok());
      now_s_ += step_s;
    }
    return ticks;
  }

  static std::vector<std::string> uuids_of(const Sensor& sensor) {
    std::vector<std::string> uuids;
    for (const auto& device : sensor.devices()) uuids.push_back(device.uuid);
    return uuids;
  }

  testing::TempTree tree_;
  double now_s_ = 1000;
};

TEST_F(NvmlSensorTest, DiscoversEveryGpuWhenNoSelectionIsGiven) {
  auto sensor = open_with_script(three_gpus());
  ASSERT_TRUE(sensor.ok()) << sensor.error().message;
  EXPECT_EQ((*sensor)->name(), "nvml");
  const auto& devices = (*sensor)->devices();
  ASSERT_EQ(devices.size(), 3u);
  EXPECT_EQ(devices[1].kind, "gpu");
  EXPECT_EQ(devices[1].name, "NVIDIA H100 80GB HBM3");
  EXPECT_EQ(devices[1].uuid, kUuidB);
  EXPECT_EQ(devices[1].index, 1);
  EXPECT_EQ(devices[1].provenance, Provenance::kMeasured);
  EXPECT_EQ(devices[1].note, "");
}

TEST_F(NvmlSensorTest, EnergyIsTheCounterDeltaSinceTheSensorStarted) {
  auto sensor = open_with_script(
      "gpu name=V100; clock=power_calls; energy_start_mj=5000000; power_mw=100000,150500,120000; power_limit_mw=250000; "
      "utilization_pct=87; memory_used_bytes=2000000000; temperature_c=71; sm_clock_mhz=1530\n");
  ASSERT_TRUE(sensor.ok()) << sensor.error().message;

  std::vector<Reading> first;
  ASSERT_TRUE((*sensor)->sample(first).ok());
  ASSERT_EQ(first.size(), 1u);
  EXPECT_DOUBLE_EQ(first[0].power_w, 100.0);
  ASSERT_TRUE(first[0].energy_j.has_value()) << "the first sample anchors the counter";
  EXPECT_DOUBLE_EQ(*first[0].energy_j, 0.0);
  EXPECT_EQ(first[0].utilization_pct, 87.0);
  EXPECT_EQ(first[0].memory_used_bytes, 2e9);
  EXPECT_EQ(first[0].temperature_c, 71.0);
  EXPECT_EQ(first[0].sm_clock_mhz, 1530.0);
  EXPECT_EQ(first[0].power_limit_w, 250.0);

  (*sensor)->read_counters_next();
  std::vector<Reading> second;
  ASSERT_TRUE((*sensor)->sample(second).ok());
  ASSERT_EQ(second.size(), 1u);
  EXPECT_DOUBLE_EQ(second[0].power_w, 150.5);
  ASSERT_TRUE(second[0].energy_j.has_value());
  EXPECT_DOUBLE_EQ(*second[0].energy_j, 10.0) << "100 W over the first 100 ms update period";

  std::vector<Reading> third;
  ASSERT_TRUE((*sensor)->sample(third).ok());
  EXPECT_DOUBLE_EQ(third[0].power_w, 120.0);
  EXPECT_FALSE(third[0].energy_j.has_value()) << "no anchor asked for: the costly counter is not read";
  EXPECT_EQ(third[0].power_limit_w, 250.0) << "the power limit is repeated from its last read";
}

TEST_F(NvmlSensorTest, CounterIsReadAtAnchorsAndEvery30SecondsOnly) {
  auto sensor = open_with_script("gpu name=NVIDIA H200; clock=power_calls\n");
  ASSERT_TRUE(sensor.ok()) << sensor.error().message;
  const auto ticks = sample_every(**sensor, 0.125, 560);  // 70 s at 125 ms (exact in binary)
  std::vector<size_t> with_counter;
  for (size_t i = 0; i < ticks.size(); ++i) {
    ASSERT_EQ(ticks[i].size(), 1u);
    if (ticks[i][0].energy_j) with_counter.push_back(i);
  }
  EXPECT_EQ(with_counter, (std::vector<size_t>{0, 240, 480}));
  EXPECT_GT(*ticks[480][0].energy_j, *ticks[240][0].energy_j);
}

TEST_F(NvmlSensorTest, SamplingFasterThanTheGpuUpdatesIsToldOnce) {
  // The GPU changes its reading every 10th read: at 10 ms a read, every 100 ms.
  std::string power;
  for (int block = 0; block < 15; ++block) {
    for (int i = 0; i < 10; ++i) power += std::to_string(200000 + 1000 * block) + ",";
  }
  power.pop_back();
  auto sensor = open_with_script("gpu name=NVIDIA H200; clock=power_calls; power_mw=" + power + "\n");
  ASSERT_TRUE(sensor.ok()) << sensor.error().message;
  sample_every(**sensor, 0.01, 150);
  const auto notices = (*sensor)->take_notices();
  ASSERT_EQ(notices.size(), 1u);
  EXPECT_NE(notices[0].find("GPU 0 (NVIDIA H200) updates its power reading every 100 ms; sampling every 10 ms"), std::string::npos)
      << notices[0];
  EXPECT_NE(notices[0].find("--interval-ms 100"), std::string::npos) << notices[0];
  sample_every(**sensor, 0.01, 150);
  EXPECT_TRUE((*sensor)->take_notices().empty()) << "said once";
}

TEST_F(NvmlSensorTest, SamplingAtTheGpusOwnPaceSaysNothing) {
  auto sensor = open_with_script("gpu name=NVIDIA H200; clock=power_calls\n");  // a new value at every read
  ASSERT_TRUE(sensor.ok()) << sensor.error().message;
  sample_every(**sensor, 0.1, 100);
  EXPECT_TRUE((*sensor)->take_notices().empty());
}

TEST_F(NvmlSensorTest, GpuWithoutEnergyCounterReportsPowerOnlyAndSaysSo) {
  auto sensor = open_with_script("gpu name=Tesla P100-PCIE-16GB; counter=no; power_mw=42000\n");
  ASSERT_TRUE(sensor.ok()) << sensor.error().message;
  EXPECT_NE((*sensor)->devices()[0].note.find("no total-energy counter"), std::string::npos);
  EXPECT_EQ((*sensor)->devices()[0].provenance, Provenance::kMeasured);

  std::vector<Reading> readings;
  ASSERT_TRUE((*sensor)->sample(readings).ok());
  ASSERT_EQ(readings.size(), 1u);
  EXPECT_DOUBLE_EQ(readings[0].power_w, 42.0);
  EXPECT_FALSE(readings[0].energy_j.has_value());
}

TEST_F(NvmlSensorTest, CudaVisibleDevicesByIndexKeepsTheJobsOrder) {
  auto sensor = open_with_script(three_gpus(), "2,0");
  ASSERT_TRUE(sensor.ok()) << sensor.error().message;
  EXPECT_EQ(uuids_of(**sensor), (std::vector<std::string>{kUuidC, kUuidA}));
  EXPECT_EQ((*sensor)->devices()[0].index, 2);

  std::vector<Reading> readings;
  ASSERT_TRUE((*sensor)->sample(readings).ok());
  ASSERT_EQ(readings.size(), 2u);
  EXPECT_EQ(readings[0].device, 0u);
  EXPECT_EQ(readings[1].device, 1u);
  EXPECT_FALSE(readings[0].energy_j.has_value()) << "the P100 has no counter";
  EXPECT_TRUE(readings[1].energy_j.has_value()) << "the A100 has one";
}

TEST_F(NvmlSensorTest, CudaVisibleDevicesByUuidOrUniquePrefix) {
  auto by_uuid = open_with_script(three_gpus(), kUuidB);
  ASSERT_TRUE(by_uuid.ok()) << by_uuid.error().message;
  EXPECT_EQ(uuids_of(**by_uuid), (std::vector<std::string>{kUuidB}));
  by_uuid = Error{"closed"};  // one NVML session at a time, as in a real process

  auto by_prefix = open_with_script(three_gpus(), "GPU-bbbb3, aaaa1");
  ASSERT_TRUE(by_prefix.ok()) << by_prefix.error().message;
  EXPECT_EQ(uuids_of(**by_prefix), (std::vector<std::string>{kUuidC, kUuidA}));
}

TEST_F(NvmlSensorTest, EmptyCudaVisibleDevicesWatchesNoGpu) {
  auto sensor = open_with_script(three_gpus(), "");
  ASSERT_TRUE(sensor.ok()) << sensor.error().message;
  EXPECT_TRUE((*sensor)->devices().empty());
  std::vector<Reading> readings;
  EXPECT_TRUE((*sensor)->sample(readings).ok());
  EXPECT_TRUE(readings.empty());
}

TEST_F(NvmlSensorTest, CudaVisibleDevicesNamingNoGpuIsAnErrorSayingWhatExists) {
  auto sensor = open_with_script(three_gpus(), "7");
  ASSERT_FALSE(sensor.ok());
  const std::string& message = sensor.error().message;
  EXPECT_NE(message.find("CUDA_VISIBLE_DEVICES='7' names none of the 3 GPUs"), std::string::npos) << message;
  EXPECT_NE(message.find("indices 0-2"), std::string::npos) << message;
}

TEST_F(NvmlSensorTest, ErrorMidRunLeavesOnlyThatGpuOutOfThatTick) {
  auto sensor = open_with_script(std::string("gpu name=flaky; uuid=") + kUuidA +
                                 "; clock=power_calls; power_mw=100000; fail_calls=2\n"
                                 "gpu name=steady; uuid=" + kUuidB + "; clock=power_calls; power_mw=100000\n");
  ASSERT_TRUE(sensor.ok()) << sensor.error().message;
  std::vector<std::vector<Reading>> ticks(3);
  ASSERT_TRUE((*sensor)->sample(ticks[0]).ok());
  (*sensor)->read_counters_next();
  ASSERT_TRUE((*sensor)->sample(ticks[1]).ok());
  ASSERT_TRUE((*sensor)->sample(ticks[2]).ok());

  ASSERT_EQ(ticks[0].size(), 2u);
  ASSERT_EQ(ticks[1].size(), 1u);
  EXPECT_EQ(ticks[1][0].device, 1u);
  EXPECT_TRUE(ticks[1][0].energy_j.has_value()) << "the steady GPU is anchored when asked";
  ASSERT_EQ(ticks[2].size(), 2u) << "the flaky GPU is back once NVML answers again";
  EXPECT_EQ(ticks[2][0].device, 0u);
  ASSERT_TRUE(ticks[2][0].energy_j.has_value()) << "its missed anchor is taken at its next good read";
  EXPECT_DOUBLE_EQ(*ticks[2][0].energy_j, 20.0) << "the counter covers the missed tick: 100 W for two periods";
  EXPECT_FALSE(ticks[2][1].energy_j.has_value()) << "the steady GPU was anchored already";
}

TEST_F(NvmlSensorTest, LostGpuIsAnErrorNamingIt) {
  auto sensor = open_with_script(std::string("gpu name=NVIDIA A100; uuid=") + kUuidA + "; fail_calls=2; fail_with=15\n");
  ASSERT_TRUE(sensor.ok()) << sensor.error().message;
  std::vector<Reading> readings;
  ASSERT_TRUE((*sensor)->sample(readings).ok());
  auto status = (*sensor)->sample(readings);
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.error().message.find("GPU 0 (NVIDIA A100, " + std::string(kUuidA) + "): GPU is lost"),
            std::string::npos)
      << status.error().message;
}

TEST_F(NvmlSensorTest, MissingLibrarySaysHowToFixIt) {
  auto sensor = make_nvml_sensor("/nonexistent/libnvidia-ml.so.1");
  ASSERT_FALSE(sensor.ok());
  const std::string& message = sensor.error().message;
  EXPECT_EQ(message.rfind("NVML not found (/nonexistent/libnvidia-ml.so.1", 0), 0u) << message;
  EXPECT_NE(message.find("install the NVIDIA driver, or set WATTCAST_NVML_LIBRARY to its path"), std::string::npos);
  EXPECT_NE(message.find("GPU power will not be measured"), std::string::npos);
  EXPECT_EQ(message.find('\n'), std::string::npos) << "one line";
}

TEST_F(NvmlSensorTest, LibraryThatIsNotNvmlIsRejected) {
  auto sensor = make_nvml_sensor("libm.so.6");
  ASSERT_FALSE(sensor.ok());
  EXPECT_NE(sensor.error().message.find("libm.so.6 is not a usable NVML library (it lacks nvmlInit_v2)"),
            std::string::npos)
      << sensor.error().message;
}

TEST_F(NvmlSensorTest, DriverNotLoadedAtInitIsExplained) {
  auto sensor = open_with_script("init_error 9\ngpu name=x\n");
  ASSERT_FALSE(sensor.ok());
  EXPECT_NE(sensor.error().message.find("NVML could not start (Driver Not Loaded"), std::string::npos)
      << sensor.error().message;
  EXPECT_NE(sensor.error().message.find("kernel driver is not loaded"), std::string::npos);
}

TEST_F(NvmlSensorTest, NoGpuAtAllIsAnError) {
  auto sensor = open_with_script("# a machine with the driver but no GPU\n");
  ASSERT_FALSE(sensor.ok());
  EXPECT_NE(sensor.error().message.find("NVML sees no GPU"), std::string::npos) << sensor.error().message;
}

}  // namespace
}  // namespace wattcast
