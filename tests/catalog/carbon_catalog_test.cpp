#include "carbon/carbon_catalog.h"

#include <gtest/gtest.h>

#include "test_paths.h"

namespace wattcast {
namespace {

class CarbonCatalogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto loaded = CarbonCatalog::load(testing::data_dir());
    ASSERT_TRUE(loaded.ok()) << loaded.error().message;
    catalog_ = std::move(loaded).value();
  }
  std::optional<CarbonCatalog> catalog_;
};

TEST_F(CarbonCatalogTest, ResolvesCodesAndNames) {
  EXPECT_EQ(catalog_->resolve_location("ESP")->name, "Spain");
  EXPECT_EQ(catalog_->resolve_location("esp")->code, "ESP");
  EXPECT_EQ(catalog_->resolve_location("Spain")->code, "ESP");
  EXPECT_EQ(catalog_->resolve_location("US-CA")->code, "US-CA");
}

TEST_F(CarbonCatalogTest, ResolvesCloudRegionsWithPue) {
  auto region = catalog_->resolve_cloud("aws:eu-west-1");
  ASSERT_TRUE(region.ok());
  EXPECT_EQ(region->country, "Ireland");
  EXPECT_DOUBLE_EQ(region->g_co2e_per_kwh, 617);
  EXPECT_DOUBLE_EQ(catalog_->default_pue("aws"), 1.2);
  EXPECT_DOUBLE_EQ(catalog_->default_pue("nobody"), 1.56);
}

TEST_F(CarbonCatalogTest, UnknownRegionSuggests) {
  auto region = catalog_->resolve_location("Spainn");
  ASSERT_FALSE(region.ok());
  EXPECT_NE(region.error().message.find("ESP"), std::string::npos);
  EXPECT_FALSE(catalog_->resolve_cloud("aws:eu-west-9").ok());
}

TEST_F(CarbonCatalogTest, WorldAverageExists) { EXPECT_EQ(catalog_->world().code, "WORLD"); }

}  // namespace
}  // namespace wattcast
