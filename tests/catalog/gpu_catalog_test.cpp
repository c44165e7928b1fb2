#include "hardware/gpu_catalog.h"

#include <gtest/gtest.h>

#include "test_paths.h"

namespace wattcast {
namespace {

class GpuCatalogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto loaded = GpuCatalog::load(testing::data_dir() + "/gpus.csv");
    ASSERT_TRUE(loaded.ok()) << loaded.error().message;
    catalog_ = std::move(loaded).value();
  }
  std::optional<GpuCatalog> catalog_;
};

TEST_F(GpuCatalogTest, ResolvesShortNames) {
  EXPECT_EQ(catalog_->resolve("3090")->name, "NVIDIA GeForce RTX 3090");
  EXPECT_EQ(catalog_->resolve("rtx 3090 ti")->name, "NVIDIA GeForce RTX 3090 Ti");
  EXPECT_EQ(catalog_->resolve("h100 sxm")->name, "NVIDIA H100 SXM5 80 GB");
  EXPECT_EQ(catalog_->resolve("GTX 750 Ti")->name, "NVIDIA GeForce GTX 750 Ti");
}

TEST_F(GpuCatalogTest, CarriesSpecs) {
  auto gpu = catalog_->resolve("RTX 3070");
  ASSERT_TRUE(gpu.ok());
  EXPECT_EQ(gpu->cuda_cores, 5888);
  EXPECT_EQ(gpu->memory_gb, 8);
  EXPECT_EQ(gpu->tdp_w, 220);
}

TEST_F(GpuCatalogTest, UnknownGpuNamesClosestMatches) {
  auto gpu = catalog_->resolve("rtx 3099");
  ASSERT_FALSE(gpu.ok());
  EXPECT_NE(gpu.error().message.find("unknown GPU 'rtx 3099'"), std::string::npos);
  EXPECT_NE(gpu.error().message.find("RTX 3090"), std::string::npos);
}

TEST_F(GpuCatalogTest, SearchListsAllMatches) {
  auto found = catalog_->search("h100");
  EXPECT_GE(found.size(), 5u);
  for (const GpuSpec* gpu : found) EXPECT_NE(gpu->name.find("H100"), std::string::npos);
  EXPECT_EQ(catalog_->search("").size(), catalog_->all().size());
}

}  // namespace
}  // namespace wattcast
