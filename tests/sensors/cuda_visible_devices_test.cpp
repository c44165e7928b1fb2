#include "sensors/cuda_visible_devices.h"

#include <gtest/gtest.h>

namespace wattcast {
namespace {

using Indices = std::vector<unsigned>;

const std::vector<std::string> kUuids = {"GPU-aaaa1111", "GPU-bbbb2222", "GPU-bbbb3333"};

TEST(NvmlSensorDeviceSelectionTest, AbsentMeansEveryGpuAndEmptyMeansNone) {
  EXPECT_EQ(select_visible_devices(std::nullopt, kUuids).nvml_indices, (Indices{0, 1, 2}));
  EXPECT_EQ(select_visible_devices("", kUuids).nvml_indices, Indices{});
  EXPECT_FALSE(select_visible_devices("", kUuids).unmatched.has_value());
}

TEST(NvmlSensorDeviceSelectionTest, IndicesAndUuidsMixInTheJobsOrder) {
  EXPECT_EQ(select_visible_devices("2, 0", kUuids).nvml_indices, (Indices{2, 0}));
  EXPECT_EQ(select_visible_devices("GPU-bbbb3333,0", kUuids).nvml_indices, (Indices{2, 0}));
  EXPECT_EQ(select_visible_devices("gpu-BBBB2", kUuids).nvml_indices, (Indices{1})) << "prefix, any case";
  EXPECT_EQ(select_visible_devices("aaaa", kUuids).nvml_indices, (Indices{0})) << "without GPU-";
}

TEST(NvmlSensorDeviceSelectionTest, FirstEntryNamingNoSingleGpuEndsTheList) {
  auto out_of_range = select_visible_devices("1,5,0", kUuids);
  EXPECT_EQ(out_of_range.nvml_indices, (Indices{1}));
  EXPECT_EQ(out_of_range.unmatched, "5");

  auto ambiguous = select_visible_devices("0,GPU-bbbb,1", kUuids);
  EXPECT_EQ(ambiguous.nvml_indices, (Indices{0}));
  EXPECT_EQ(ambiguous.unmatched, "GPU-bbbb");

  EXPECT_EQ(select_visible_devices("MIG-aaaa", kUuids).unmatched, "MIG-aaaa");
  EXPECT_EQ(select_visible_devices("-1", kUuids).unmatched, "-1");
}

TEST(NvmlSensorDeviceSelectionTest, RepeatedGpuIsWatchedOnce) {
  EXPECT_EQ(select_visible_devices("1,GPU-bbbb2222,0", kUuids).nvml_indices, (Indices{1, 0}));
}

}  // namespace
}  // namespace wattcast
