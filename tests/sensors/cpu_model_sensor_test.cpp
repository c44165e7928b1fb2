#include "sensors/cpu_model_sensor.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "fakes/temp_tree.h"
#include "hardware/cpu_catalog.h"
#include "test_paths.h"

namespace wattcast {
namespace {

std::string cpus_csv() { return testing::data_dir() + "/cpus.csv"; }

class CpuModelSensorCatalogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto loaded = CpuCatalog::load(cpus_csv());
    ASSERT_TRUE(loaded.ok()) << loaded.error().message;
    catalog_ = std::move(loaded).value();
  }
  std::string match(const std::string& cpuinfo_name) const {
    auto cpu = catalog_->match(cpuinfo_name);
    return cpu ? cpu->name : "<none>";
  }
  std::optional<CpuCatalog> catalog_;
};

TEST_F(CpuModelSensorCatalogTest, CpuinfoNamesMatchTheTablesNames) {
  EXPECT_EQ(match("Intel(R) Xeon(R) Gold 6248 CPU @ 2.50GHz"), "Intel Xeon Gold 6248");
  EXPECT_EQ(match("AMD EPYC 7742 64-Core Processor"), "AMD EPYC 7742");
  EXPECT_EQ(match("AMD EPYC 7B12"), "AMD EPYC 7B12");
  EXPECT_EQ(match("Intel(R) Xeon(R) CPU E5-2680 v4 @ 2.40GHz"), "Intel Xeon E5-2680 v4");
  EXPECT_EQ(match("Intel(R) Xeon(R) CPU E5-2680 0 @ 2.70GHz"), "Intel Xeon E5-2680");
  EXPECT_EQ(match("Intel(R) Core(TM) i7-8700 CPU @ 3.20GHz"), "Intel Core i7-8700");
  EXPECT_EQ(match("12th Gen Intel(R) Core(TM) i7-12700K"), "Intel Core i7-12700K");
  EXPECT_EQ(match("AMD Ryzen 7 5800H with Radeon Graphics"), "AMD Ryzen 7 5800H");
  EXPECT_EQ(catalog_->match("Intel(R) Xeon(R) Gold 6248 CPU @ 2.50GHz")->tdp_w, 150);
}

TEST_F(CpuModelSensorCatalogTest, GenericOrUnknownNamesMatchNothing) {
  EXPECT_EQ(match("Intel(R) Xeon(R) Processor"), "<none>");
  EXPECT_EQ(match("Intel Xeon Processor (Skylake, IBRS)"), "<none>");
  EXPECT_EQ(match("AMD EPYC Processor"), "<none>");
  EXPECT_EQ(match("Intel(R) Xeon(R) Gold 9999 CPU @ 2.50GHz"), "<none>");
  EXPECT_EQ(match(""), "<none>");
}

TEST_F(CpuModelSensorCatalogTest, MedianTdpIsTheDocumentedDefault) {
  EXPECT_DOUBLE_EQ(catalog_->median_tdp_w(), 65.0);
}

TEST(CpuModelSensorCurveTest, IdleFloorThenLinearToTdp) {
  EXPECT_DOUBLE_EQ(modelled_cpu_power_w(100, 1, 0.0), 15.0);
  EXPECT_DOUBLE_EQ(modelled_cpu_power_w(100, 1, 1.0), 100.0);
  EXPECT_DOUBLE_EQ(modelled_cpu_power_w(100, 2, 0.5), 2 * (15.0 + 42.5));
  EXPECT_DOUBLE_EQ(modelled_cpu_power_w(100, 1, 1.7), 100.0) << "clamped";
}

class CpuModelSensorTest : public ::testing::Test {
 protected:
  // "cpu user nice system idle iowait irq softirq steal guest guest_nice"
  void write_stat(unsigned long long busy, unsigned long long idle, unsigned long long iowait = 0) {
    tree_.write("stat", fmt::format("cpu  {} 0 0 {} {} 0 0 0 0 0\ncpu0 1 2 3 4 5 6 7 8 0 0\nintr 1\n", busy, idle, iowait));
  }
  void write_cpuinfo(const std::string& model, int sockets) {
    std::string text;
    for (int socket = 0; socket < sockets; ++socket) {
      for (int core = 0; core < 2; ++core) {
        text += fmt::format("processor\t: {}\nmodel name\t: {}\nphysical id\t: {}\n\n", socket * 2 + core, model, socket);
      }
    }
    tree_.write("cpuinfo", text);
  }
  testing::TempTree tree_;
};

TEST_F(CpuModelSensorTest, PowerFollowsUtilizationBetweenSamples) {
  write_cpuinfo("Intel(R) Xeon(R) Gold 6248 CPU @ 2.50GHz", 2);
  write_stat(1000, 9000);
  auto sensor = make_cpu_model_sensor(cpus_csv(), tree_.root());
  ASSERT_TRUE(sensor.ok()) << sensor.error().message;
  EXPECT_EQ((*sensor)->name(), "cpu-model");
  const DeviceInfo& device = (*sensor)->devices().at(0);
  EXPECT_EQ(device.kind, "cpu");
  EXPECT_EQ(device.name, "Intel(R) Xeon(R) Gold 6248 CPU @ 2.50GHz");
  EXPECT_EQ(device.provenance, Provenance::kModelled);
  EXPECT_NE(device.note.find("TDP 150 W per socket (Intel Xeon Gold 6248"), std::string::npos) << device.note;
  EXPECT_NE(device.note.find("power = TDP x 2 sockets x (15% + 85% x utilization)"), std::string::npos) << device.note;

  write_stat(1000 + 750, 9000 + 150, 100);  // 750 of 1000 jiffies busy; iowait counts as idle
  std::vector<Reading> readings;
  ASSERT_TRUE((*sensor)->sample(readings).ok());
  ASSERT_EQ(readings.size(), 1u);
  EXPECT_DOUBLE_EQ(*readings[0].utilization_pct, 75.0);
  EXPECT_DOUBLE_EQ(readings[0].power_w, modelled_cpu_power_w(150, 2, 0.75));

  readings.clear();  // no jiffy elapsed: the last utilization stands
  ASSERT_TRUE((*sensor)->sample(readings).ok());
  EXPECT_DOUBLE_EQ(*readings[0].utilization_pct, 75.0);
}

TEST_F(CpuModelSensorTest, UnknownCpuGetsTheMedianTdpAndSaysSo) {
  write_cpuinfo("Intel(R) Xeon(R) Processor", 1);
  write_stat(0, 100);
  auto sensor = make_cpu_model_sensor(cpus_csv(), tree_.root());
  ASSERT_TRUE(sensor.ok()) << sensor.error().message;
  const std::string& note = (*sensor)->devices().at(0).note;
  EXPECT_NE(note.find("CPU 'Intel(R) Xeon(R) Processor' is not in the CPU table: "
                      "assumed the table's median TDP, 65 W per socket"),
            std::string::npos)
      << note;

  write_stat(0, 200);
  std::vector<Reading> readings;
  ASSERT_TRUE((*sensor)->sample(readings).ok());
  EXPECT_DOUBLE_EQ(readings.at(0).power_w, 0.15 * 65);
}

TEST_F(CpuModelSensorTest, MissingProcStatIsAnError) {
  write_cpuinfo("AMD EPYC 7742 64-Core Processor", 1);
  auto sensor = make_cpu_model_sensor(cpus_csv(), tree_.root());
  ASSERT_FALSE(sensor.ok());
  EXPECT_NE(sensor.error().message.find("cannot read CPU times from " + tree_.path("stat")), std::string::npos)
      << sensor.error().message;
}

TEST_F(CpuModelSensorTest, MissingCatalogIsAnError) {
  write_stat(0, 100);
  auto sensor = make_cpu_model_sensor(tree_.path("no-such.csv"), tree_.root());
  ASSERT_FALSE(sensor.ok());
  EXPECT_NE(sensor.error().message.find("CPU power will not be modelled"), std::string::npos);
}

}  // namespace
}  // namespace wattcast
