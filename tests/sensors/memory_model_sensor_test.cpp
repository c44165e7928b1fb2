#include "sensors/memory_model_sensor.h"

#include <gtest/gtest.h>

#include "fakes/temp_tree.h"

namespace wattcast {
namespace {

TEST(MemoryModelSensorTest, ChargesGreenAlgorithmsWattsPerGibOfInstalledRam) {
  testing::TempTree tree;
  // 64 GiB installed, 40 GiB available.
  tree.write("meminfo", "MemTotal:       67108864 kB\nMemFree:         1000 kB\nMemAvailable:   41943040 kB\n");
  auto sensor = make_memory_model_sensor(tree.root());
  ASSERT_TRUE(sensor.ok()) << sensor.error().message;
  EXPECT_EQ((*sensor)->name(), "memory-model");
  const DeviceInfo& device = (*sensor)->devices().at(0);
  EXPECT_EQ(device.kind, "memory");
  EXPECT_EQ(device.provenance, Provenance::kModelled);
  EXPECT_NE(device.note.find("0.3725 W per GiB"), std::string::npos) << device.note;

  std::vector<Reading> readings;
  ASSERT_TRUE((*sensor)->sample(readings).ok());
  ASSERT_EQ(readings.size(), 1u);
  EXPECT_DOUBLE_EQ(readings[0].power_w, 0.3725 * 64);
  EXPECT_DOUBLE_EQ(*readings[0].memory_used_bytes, 24.0 * (1ull << 30));
}

TEST(MemoryModelSensorTest, MissingMeminfoIsAnError) {
  testing::TempTree tree;
  auto sensor = make_memory_model_sensor(tree.root());
  ASSERT_FALSE(sensor.ok());
  EXPECT_NE(sensor.error().message.find("cannot read MemTotal from " + tree.path("meminfo")), std::string::npos)
      << sensor.error().message;
}

}  // namespace
}  // namespace wattcast
