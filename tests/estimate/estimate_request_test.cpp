#include "estimate/estimate_request.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "test_paths.h"

namespace wattcast {
namespace {

namespace fs = std::filesystem;

class EstimateRequestTest : public ::testing::Test {
 protected:
  void SetUp() override {
    gpus_ = std::move(GpuCatalog::load(testing::data_dir() + "/gpus.csv")).value();
    carbon_ = std::move(CarbonCatalog::load(testing::data_dir())).value();
    architectures_.add("resnet50", 128, {2.53, 49.07e6, 25.56e6});
    dir_ = fs::temp_directory_path() / ("wattcast_request_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string write(const std::string& name, const std::string& content) {
    const std::string path = (dir_ / name).string();
    std::ofstream(path) << content;
    return path;
  }
  Result<ResolvedRequest> resolve(const EstimateRequest& request) {
    return resolve_request(request, Catalogs{*gpus_, *carbon_, architectures_});
  }

  std::optional<GpuCatalog> gpus_;
  std::optional<CarbonCatalog> carbon_;
  ArchitectureTable architectures_;
  fs::path dir_;
};

const char* kValidToml = R"(gpu = "3090"
gflops = 2.53
batch_size = 64
input_size = 128
train_samples = 23807
val_samples = 10203
epochs = 30
ram_gb = 16
cloud = "aws:eu-west-1"
)";

TEST_F(EstimateRequestTest, TomlFileResolves) {
  auto request = EstimateRequest::from_file(write("ok.toml", kValidToml));
  ASSERT_TRUE(request.ok()) << request.error().message;
  auto resolved = resolve(*request);
  ASSERT_TRUE(resolved.ok()) << resolved.error().message;
  EXPECT_EQ(resolved->config.gpu.name, "NVIDIA GeForce RTX 3090");
  EXPECT_DOUBLE_EQ(resolved->config.batch_size, 64);
  EXPECT_DOUBLE_EQ(resolved->carbon.g_co2e_per_kwh, 617);
  EXPECT_DOUBLE_EQ(resolved->carbon.pue, 1.2);  // aws default, the region has none
}

TEST_F(EstimateRequestTest, JsonFileResolvesAndFlagsOverride) {
  auto request = EstimateRequest::from_file(write("ok.json", R"({"gpu": "3070", "arch": "resnet50", "batch_size": 32,
 "input_size": 128, "train_samples": 100, "val_samples": 10, "epochs": 5, "ram_gb": 8})"));
  ASSERT_TRUE(request.ok()) << request.error().message;
  EstimateRequest flags;
  flags.set("batch_size", {"128", "", 0});
  request->merge(flags);
  auto resolved = resolve(*request);
  ASSERT_TRUE(resolved.ok()) << resolved.error().message;
  EXPECT_DOUBLE_EQ(resolved->config.batch_size, 128);
  EXPECT_DOUBLE_EQ(resolved->config.gflops, 2.53);
}

TEST_F(EstimateRequestTest, NonPositiveValueNamesFileLineAndField) {
  std::string toml = kValidToml;
  toml.replace(toml.find("batch_size = 64"), 15, "batch_size = -3");
  auto request = EstimateRequest::from_file(write("neg.toml", toml));
  ASSERT_TRUE(request.ok());
  auto resolved = resolve(*request);
  ASSERT_FALSE(resolved.ok());
  EXPECT_EQ(resolved.error().message, (dir_ / "neg.toml").string() + ":3: field 'batch_size': must be positive, got '-3'");
}

TEST_F(EstimateRequestTest, NanInTomlIsRejected) {
  std::string toml = kValidToml;
  toml.replace(toml.find("gflops = 2.53"), 13, "gflops = nan");
  auto resolved = resolve(*EstimateRequest::from_file(write("nan.toml", toml)));
  ASSERT_FALSE(resolved.ok());
  EXPECT_NE(resolved.error().message.find(":2: field 'gflops'"), std::string::npos) << resolved.error().message;
}

TEST_F(EstimateRequestTest, MalformedTomlNamesTheLine) {
  auto request = EstimateRequest::from_file(write("bad.toml", "gpu = \"3090\"\nbatch_size = = 3\n"));
  ASSERT_FALSE(request.ok());
  EXPECT_NE(request.error().message.find("bad.toml:2:"), std::string::npos) << request.error().message;
}

TEST_F(EstimateRequestTest, MalformedJsonNamesTheLine) {
  auto request = EstimateRequest::from_file(write("bad.json", "{\n \"gpu\": \"3090\",\n \"epochs\": ,\n}\n"));
  ASSERT_FALSE(request.ok());
  EXPECT_NE(request.error().message.find("bad.json:3:"), std::string::npos) << request.error().message;
}

TEST_F(EstimateRequestTest, UnknownKeyIsNamed) {
  auto request = EstimateRequest::from_file(write("unknown.json", "{\n \"gpu\": \"3090\",\n \"batchsize\": 3\n}\n"));
  ASSERT_FALSE(request.ok());
  EXPECT_NE(request.error().message.find("unknown.json:3: field 'batchsize': unknown key"), std::string::npos) << request.error().message;
}

TEST_F(EstimateRequestTest, MissingValueAndUnknownGpuFromFlags) {
  EstimateRequest request;
  request.set("gpu", {"rtx 9999", "", 0});
  auto resolved = resolve(request);
  ASSERT_FALSE(resolved.ok());
  EXPECT_EQ(resolved.error().message.rfind("--gpu: unknown GPU 'rtx 9999'", 0), 0u) << resolved.error().message;

  request.set("gpu", {"3090", "", 0});
  resolved = resolve(request);
  ASSERT_FALSE(resolved.ok());
  EXPECT_EQ(resolved.error().message, "--batch-size: is required (or batch_size in a --config file)");
}

TEST_F(EstimateRequestTest, RegionAndCloudTogetherAreRejected) {
  auto request = EstimateRequest::from_file(write("ok.toml", kValidToml));
  EstimateRequest flags;
  flags.set("region", {"ESP", "", 0});
  request->merge(flags);
  auto resolved = resolve(*request);
  ASSERT_FALSE(resolved.ok());  // region and cloud together
  EXPECT_NE(resolved.error().message.find("not both"), std::string::npos);
}

TEST_F(EstimateRequestTest, ArchitectureGflopsAndActivationsScaleWithInputAreaAndParametersDoNot) {
  EXPECT_DOUBLE_EQ(architectures_.workload("resnet50", 128)->gflops, 2.53);
  const Workload doubled = *architectures_.workload("resnet50", 256);
  EXPECT_DOUBLE_EQ(doubled.gflops, 2.53 * 4);
  EXPECT_DOUBLE_EQ(*doubled.activation_bytes, 49.07e6 * 4);
  EXPECT_DOUBLE_EQ(*doubled.parameters, 25.56e6);
  EXPECT_FALSE(architectures_.workload("lenet", 28).has_value());
}

TEST_F(EstimateRequestTest, ActivationsAndParametersAreOptionalPositiveNumbers) {
  EstimateRequest request;
  for (const auto& [key, text] : std::vector<std::pair<std::string, std::string>>{
           {"gpu", "3090"}, {"gflops", "2.5"}, {"batch_size", "32"}, {"input_size", "128"}, {"train_samples", "1000"},
           {"val_samples", "100"}, {"epochs", "1"}, {"ram_gb", "16"}}) {
    request.set(key, {text, "", 0});
  }
  auto without = resolve(request);
  ASSERT_TRUE(without.ok()) << without.error().message;
  EXPECT_FALSE(without->config.activation_bytes.has_value());
  request.set("activation_mb", {"49.07", "", 0});
  request.set("params_m", {"25.56", "", 0});
  auto with = resolve(request);
  ASSERT_TRUE(with.ok()) << with.error().message;
  EXPECT_DOUBLE_EQ(*with->config.activation_bytes, 49.07e6);
  EXPECT_DOUBLE_EQ(*with->config.parameters, 25.56e6);
  request.set("activation_mb", {"-3", "", 0});
  auto negative = resolve(request);
  ASSERT_FALSE(negative.ok());
  EXPECT_NE(negative.error().message.find("--activation-mb"), std::string::npos) << negative.error().message;
}

TEST_F(EstimateRequestTest, JobRamIsAssumedAndSaidWhenLeftOut) {
  EstimateRequest request;
  for (const auto& [key, text] : std::vector<std::pair<std::string, std::string>>{
           {"gpu", "3090"}, {"gflops", "2.5"}, {"batch_size", "32"}, {"input_size", "128"}, {"train_samples", "1000"},
           {"val_samples", "100"}, {"epochs", "1"}}) {
    request.set(key, {text, "", 0});
  }
  auto assumed = resolve(request);
  ASSERT_TRUE(assumed.ok()) << assumed.error().message;
  EXPECT_DOUBLE_EQ(assumed->config.total_ram_gb, kAssumedJobRamGb);
  ASSERT_EQ(assumed->assumptions.size(), 1u);
  EXPECT_NE(assumed->assumptions[0].find("--ram-gb not given"), std::string::npos) << assumed->assumptions[0];
  request.set("ram_gb", {"16", "", 0});
  auto given = resolve(request);
  ASSERT_TRUE(given.ok()) << given.error().message;
  EXPECT_DOUBLE_EQ(given->config.total_ram_gb, 16);
  EXPECT_TRUE(given->assumptions.empty());
  request.set("ram_gb", {"0", "", 0});
  auto zero = resolve(request);
  ASSERT_FALSE(zero.ok());
  EXPECT_NE(zero.error().message.find("--ram-gb"), std::string::npos) << zero.error().message;
}

TEST_F(EstimateRequestTest, GpuBySpecs) {
  auto request = EstimateRequest::from_file(write("ok.toml", kValidToml));
  EstimateRequest flags;
  flags.set("gpu_cores", {"4000", "", 0});
  flags.set("gpu_memory_gb", {"12", "", 0});
  flags.set("gpu_tdp_w", {"0", "", 0});
  request->merge(flags);
  auto resolved = resolve(*request);
  ASSERT_FALSE(resolved.ok());
  EXPECT_EQ(resolved.error().message, "--gpu-tdp-w: must be positive, got '0'");
}

}  // namespace
}  // namespace wattcast
