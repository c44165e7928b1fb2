// The GPU-generic model (issue 14): physical bounds that hold for any request, what a power cap
// and a precision change do, graded extrapolation, and the data sets it is fitted on.

#include <gtest/gtest.h>

#include <cmath>
#include <map>

#include <nlohmann/json.hpp>

#include "analysis/cross_validation.h"
#include "estimate/roofline_inputs.h"
#include "estimate/roofline_model.h"
#include "hardware/gpu_catalog.h"
#include "test_paths.h"

namespace wattcast {
namespace {

class RooflineModelTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto catalog = GpuCatalog::load(testing::data_dir() + "/gpus.csv");
    ASSERT_TRUE(catalog.ok()) << catalog.error().message;
    catalog_ = new GpuCatalog(std::move(catalog).value());
    runs_ = new std::vector<MeasuredRun>();
    for (const char* file : {"/pre_runs.csv", "/zeus/zeus_runs.csv", "/h200_runs.csv"}) {
      auto runs = load_runs(testing::data_dir() + file, Measurements::kRequired, catalog_);
      ASSERT_TRUE(runs.ok()) << runs.error().message;
      runs_->insert(runs_->end(), runs->begin(), runs->end());
    }
    auto model = RooflineModel::fit(*runs_, FitOptions{});
    ASSERT_TRUE(model.ok()) << model.error().message;
    model_ = new RooflineModel(std::move(model).value());
  }
  static void TearDownTestSuite() {
    delete model_;
    delete runs_;
    delete catalog_;
  }

  static TrainingConfig config(const std::string& gpu, double gflops, double batch) {
    TrainingConfig c;
    c.gpu = catalog_->resolve(gpu).value();
    c.gflops = gflops;
    c.batch_size = batch;
    c.input_size = 224;
    c.train_samples = 50000;
    c.val_samples = 10000;
    return c;
  }

  static inline GpuCatalog* catalog_ = nullptr;
  static inline std::vector<MeasuredRun>* runs_ = nullptr;
  static inline RooflineModel* model_ = nullptr;
};

TEST_F(RooflineModelTest, LoadsEveryDataSetWithItsSource) {
  std::map<std::string, size_t> by_source;
  for (const auto& run : *runs_) ++by_source[run.source];
  EXPECT_EQ(by_source["pre_runs"], 712u);
  EXPECT_EQ(by_source["zeus_runs"], 70u);
  EXPECT_EQ(by_source["h200_runs"], 3u);
  // The study's GPUs keep their specs and gain the catalog's bandwidth and peaks.
  for (const auto& run : *runs_) {
    ASSERT_TRUE(run.config.gpu.memory_bandwidth_gbs.has_value()) << run.config.gpu.name;
    ASSERT_TRUE(run.config.gpu.fp32_tflops.has_value()) << run.config.gpu.name;
  }
}

TEST_F(RooflineModelTest, PowerStaysBetweenIdleAndTheLimitForAnyRequest) {
  for (const char* gpu : {"GTX 750 Ti", "RTX 3090", "A40 PCIe", "H200 SXM", "Tesla T4", "A100 SXM4 80"}) {
    for (double gflops : {0.01, 0.5, 8.0, 300.0}) {
      for (double batch : {1.0, 32.0, 4096.0}) {
        const TrainingConfig c = config(gpu, gflops, batch);
        const EpochPrediction p = model_->predict(c);
        const double idle = c.gpu.idle_w.value_or(0.1 * c.gpu.tdp_w);
        EXPECT_LE(p.avg_power_w, c.gpu.tdp_w) << gpu << " " << gflops << " " << batch;
        EXPECT_GE(p.avg_power_w, idle) << gpu << " " << gflops << " " << batch;
        EXPECT_LE(p.avg_power_w_90->hi, c.gpu.tdp_w);
        EXPECT_GE(p.avg_power_w_90->lo, idle);
        EXPECT_GT(p.epoch_time_s, 0);
        EXPECT_NEAR(p.epoch_energy_j, p.avg_power_w * p.epoch_time_s, 1e-9 * p.epoch_energy_j);
      }
    }
  }
}

TEST_F(RooflineModelTest, APowerCapNeverRaisesPowerNorShortensTheEpoch) {
  TrainingConfig c = config("A40 PCIe", 8.18, 128);
  const EpochPrediction free = model_->predict(c);
  double last_power = free.avg_power_w, last_time = free.epoch_time_s;
  for (double cap : {250.0, 200.0, 150.0, 100.0}) {
    c.power_limit_w = cap;
    const EpochPrediction capped = model_->predict(c);
    EXPECT_LE(capped.avg_power_w, cap);
    EXPECT_LE(capped.avg_power_w, last_power);
    EXPECT_GE(capped.epoch_time_s, last_time);
    last_power = capped.avg_power_w;
    last_time = capped.epoch_time_s;
  }
  // A tight cap must slow a job that drew more than it.
  EXPECT_GT(last_time, free.epoch_time_s);
}

TEST_F(RooflineModelTest, EveryReferenceRunCarriesTheBytesItsStepsMove) {
  for (const auto& run : *runs_) {
    EXPECT_TRUE(run.config.activation_bytes && run.config.parameters) << run.source << " line " << run.source_line;
  }
}

TEST_F(RooflineModelTest, MovingMoreBytesTakesLongerAndMostOnTheNarrowestMemory) {
  TrainingConfig light = config("RTX 3090", 0.4, 32);
  light.activation_bytes = 6e6;
  light.parameters = 5e6;
  TrainingConfig heavy = light;
  heavy.activation_bytes = 60e6;  // a depthwise network's activations at the same GFLOPs
  const double ratio_3090 = model_->predict(heavy).epoch_time_s / model_->predict(light).epoch_time_s;
  EXPECT_GT(ratio_3090, 1.0);
  light.gpu = heavy.gpu = catalog_->resolve("GTX 750 Ti").value();
  const double ratio_750 = model_->predict(heavy).epoch_time_s / model_->predict(light).epoch_time_s;
  EXPECT_GT(ratio_750, ratio_3090);
}

TEST_F(RooflineModelTest, WithoutBytesTheWorkIsAssumedAndSaidSo) {
  TrainingConfig c = config("RTX 3090", 2.0, 32);
  const EpochWork assumed = epoch_work(c);
  ASSERT_EQ(assumed.assumptions.size(), 2u);
  EXPECT_NE(assumed.assumptions[0].find("--activation-mb"), std::string::npos);
  EXPECT_NE(assumed.assumptions[1].find("--params-m"), std::string::npos);
  EXPECT_DOUBLE_EQ(assumed.activation_bytes, 2.0e9 / kAssumedFlopsPerActivationByte * (3.0 * 50000 + 10000));
  c.activation_bytes = 30e6;
  c.parameters = 20e6;
  const EpochWork given = epoch_work(c);
  EXPECT_TRUE(given.assumptions.empty());
  EXPECT_DOUBLE_EQ(given.activation_bytes, 30e6 * (3.0 * 50000 + 10000));
  EXPECT_DOUBLE_EQ(given.parameter_bytes, 4.0 * 20e6);
}

TEST_F(RooflineModelTest, AModelFileOfTheEarlierFormatIsRefusedWithWhatToDo) {
  nlohmann::json old = model_->to_json();
  old["format_version"] = 1;
  auto loaded = RooflineModel::from_json(old);
  ASSERT_FALSE(loaded.ok());
  EXPECT_NE(loaded.error().message.find("wattcast fit --method roofline"), std::string::npos);
}

TEST_F(RooflineModelTest, TensorPrecisionIsFasterWhereTheGpuHasTensorCores) {
  TrainingConfig c = config("A100 SXM4 80", 8.18, 256);
  const double fp32_s = model_->predict(c).epoch_time_s;
  c.precision = "fp16";
  EXPECT_LT(model_->predict(c).epoch_time_s, fp32_s);
  // The GTX 750 Ti has no tensor cores and no known FP16 peak: its FP32 peak stands in.
  TrainingConfig old = config("GTX 750 Ti", 0.5, 32);
  const double old_fp32_s = model_->predict(old).epoch_time_s;
  old.precision = "bf16";
  EXPECT_DOUBLE_EQ(model_->predict(old).epoch_time_s, old_fp32_s);
}

TEST_F(RooflineModelTest, ExtrapolationIsGradedAndWidensTheInterval) {
  const TrainingConfig inside = config("RTX 3090", 2.5, 32);
  EXPECT_TRUE(model_->extrapolation(inside).empty());
  TrainingConfig far = inside;
  far.gflops = 2000;  // 28x the largest model in the data
  const auto flags = model_->extrapolation(far);
  ASSERT_EQ(flags.size(), 1u);
  EXPECT_EQ(flags[0].feature, "gflops");
  EXPECT_EQ(flags[0].grade, "far outside");
  EXPECT_NE(flags[0].describe().find("(far outside)"), std::string::npos);
  TrainingConfig near = inside;
  near.gflops = 80;  // 1.13x
  ASSERT_EQ(model_->extrapolation(near).size(), 1u);
  EXPECT_EQ(model_->extrapolation(near)[0].grade, "slightly outside");

  auto relative_width = [](const EpochPrediction& p) { return std::log(p.epoch_energy_j_90->hi / p.epoch_energy_j_90->lo); };
  EXPECT_GT(relative_width(model_->predict(far)), relative_width(model_->predict(inside)));
  // Inputs the model does not use never raise a flag (job RAM, input size).
  TrainingConfig ram = inside;
  ram.total_ram_gb = 4096;
  ram.input_size = 4096;
  EXPECT_TRUE(model_->extrapolation(ram).empty());
}

TEST_F(RooflineModelTest, SavedModelPredictsLikeTheFittedOne) {
  auto loaded = RooflineModel::from_json(model_->to_json());
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  for (size_t i = 0; i < runs_->size(); i += 61) {
    const auto a = model_->predict((*runs_)[i].config);
    const auto b = loaded->predict((*runs_)[i].config);
    EXPECT_DOUBLE_EQ(a.avg_power_w, b.avg_power_w);
    EXPECT_DOUBLE_EQ(a.epoch_energy_j, b.epoch_energy_j);
    EXPECT_DOUBLE_EQ(a.epoch_energy_j_90->hi, b.epoch_energy_j_90->hi);
  }
}

TEST_F(RooflineModelTest, CrossValidationHoldsOutWholeGpusAndDataSets) {
  CvSettings gpu;
  gpu.mode = CvMode::kGpu;
  int folds = 0;
  const auto by_gpu = assign_folds(*runs_, gpu, &folds);
  EXPECT_EQ(folds, 7);  // GTX 750 Ti, RTX 3070, RTX 3090, A40, RTX 6000, P100, H200
  for (size_t i = 0; i < runs_->size(); ++i) {
    for (size_t j = i + 1; j < runs_->size(); j += 37) {
      EXPECT_EQ(by_gpu[i] == by_gpu[j], (*runs_)[i].config.gpu.name == (*runs_)[j].config.gpu.name);
    }
  }
  CvSettings source;
  source.mode = CvMode::kSource;
  assign_folds(*runs_, source, &folds);
  EXPECT_EQ(folds, 3);
}

TEST(PrePaperOffItsDataTest, IsMarkedUnusableInsteadOfPrintingAbsurdFigures) {
  auto runs = load_runs(testing::reference_runs_csv(), Measurements::kRequired);
  ASSERT_TRUE(runs.ok());
  auto model = fit_model("pre-paper", *runs, FitOptions{});
  ASSERT_TRUE(model.ok());
  EXPECT_FALSE((*model)->predict((*runs)[0].config).unusable.has_value());
  auto catalog = GpuCatalog::load(testing::data_dir() + "/gpus.csv");
  ASSERT_TRUE(catalog.ok());
  TrainingConfig a40 = (*runs)[0].config;
  a40.gpu = catalog->resolve("A40 PCIe").value();
  const auto p = (*model)->predict(a40);
  ASSERT_TRUE(p.unusable.has_value());
  EXPECT_NE(p.unusable->find("outside its data"), std::string::npos);
}

}  // namespace
}  // namespace wattcast
