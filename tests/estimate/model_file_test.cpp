#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "estimate/fitted_model.h"
#include "test_paths.h"

namespace wattcast {
namespace {

namespace fs = std::filesystem;

class ModelFileTest : public ::testing::TestWithParam<std::string> {};

TEST_P(ModelFileTest, SavedModelPredictsLikeTheFittedOne) {
  auto runs = load_runs(testing::reference_runs_csv(), Measurements::kRequired);
  ASSERT_TRUE(runs.ok());
  auto model = fit_model(GetParam(), *runs, FitOptions{});
  ASSERT_TRUE(model.ok()) << model.error().message;
  const std::string path = (fs::temp_directory_path() / ("wattcast_model_" + GetParam() + ".json")).string();
  ASSERT_TRUE(save_model_file(**model, path).ok());
  auto loaded = load_model_file(path);
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  EXPECT_EQ((*loaded)->name(), GetParam());
  for (size_t i = 0; i < runs->size(); i += 97) {
    const EpochPrediction a = (*model)->predict((*runs)[i].config);
    const EpochPrediction b = (*loaded)->predict((*runs)[i].config);
    EXPECT_NEAR(a.avg_power_w, b.avg_power_w, 1e-9 * a.avg_power_w);
    EXPECT_NEAR(a.epoch_energy_j, b.epoch_energy_j, 1e-9 * a.epoch_energy_j);
  }
  fs::remove(path);
}

INSTANTIATE_TEST_SUITE_P(Methods, ModelFileTest, ::testing::Values("wattcast", "pre-paper", "roofline"));

TEST(ModelFileErrorsTest, MalformedAndForeignFilesAreErrors) {
  const fs::path dir = fs::temp_directory_path();
  std::ofstream(dir / "wattcast_bad_model.json") << "{\n\"method\": \"wattcast\",\n";
  auto truncated = load_model_file((dir / "wattcast_bad_model.json").string());
  ASSERT_FALSE(truncated.ok());
  EXPECT_NE(truncated.error().message.find("wattcast_bad_model.json:"), std::string::npos);

  std::ofstream(dir / "wattcast_foreign_model.json") << R"({"method": "xgboost"})";
  EXPECT_FALSE(load_model_file((dir / "wattcast_foreign_model.json").string()).ok());
  EXPECT_FALSE(load_model_file((dir / "does-not-exist.json").string()).ok());
  fs::remove(dir / "wattcast_bad_model.json");
  fs::remove(dir / "wattcast_foreign_model.json");
}

}  // namespace
}  // namespace wattcast
