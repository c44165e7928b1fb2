// Files from anywhere: every malformed model is an Error naming the file, never a crash or a
// wrapped count.

#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "model/flops_counter.h"
#include "model/onnx_loader.h"
#include "model/onnx_builder.h"
#include "model/training_flops.h"

namespace wattcast {
namespace {

using testing::OnnxBuilder;

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

const std::filesystem::path kFixtures = std::filesystem::path(WATTCAST_SOURCE_DIR) / "tests" / "fixtures" / "onnx";

void expect_error(const std::string& bytes, const std::string& fragment, const InputShapeOptions& options = {}) {
  auto graph = load_onnx_bytes(bytes, "bad.onnx", options);
  ASSERT_FALSE(graph.ok());
  EXPECT_NE(graph.error().message.find("bad.onnx"), std::string::npos) << graph.error().message;
  EXPECT_NE(graph.error().message.find(fragment), std::string::npos) << graph.error().message;
  EXPECT_EQ(graph.error().message.find('\n'), std::string::npos);
}

TEST(BadModels, EmptyTruncatedAndNotOnnx) {
  expect_error("", "empty");
  const std::string resnet = read_file(kFixtures / "resnet50.onnx");
  expect_error(resnet.substr(0, resnet.size() / 2), "not an ONNX model");
  expect_error("name,value\nbatch,3\n", "not an ONNX model");
  expect_error(std::string(64, '\0'), "not an ONNX model");
}

TEST(BadModels, MissingFileNamesIt) {
  auto graph = load_onnx_file("/nonexistent/model.onnx", {});
  ASSERT_FALSE(graph.ok());
  EXPECT_NE(graph.error().message.find("/nonexistent/model.onnx"), std::string::npos);
}

TEST(BadModels, CycleIsRefused) {
  OnnxBuilder m;
  m.input("x", {1, 4});
  m.node("Add", {"x", "b"}, {"a"});
  m.node("Relu", {"a"}, {"b"});
  m.output("b");
  expect_error(m.bytes(), "cycle");
}

TEST(BadModels, SymbolicDimensionNeedsAShape) {
  OnnxBuilder m;
  m.input("ids", {1, -1}, "seq");
  m.node("Relu", {"ids"}, {"y"});
  m.output("y");
  expect_error(m.bytes(), "--input ids=");
}

TEST(BadModels, UnknownInputNameIsRefused) {
  OnnxBuilder m;
  m.input("x", {1, 4});
  m.node("Relu", {"x"}, {"y"});
  m.output("y");
  InputShapeOptions options;
  options.shapes["images"] = {1, 4};
  expect_error(m.bytes(), "no input 'images'", options);
}

TEST(BadModels, AbsurdDimensionsAreRefused) {
  OnnxBuilder m;
  m.input("x", {int64_t{1} << 40, 4});
  m.node("Relu", {"x"}, {"y"});
  m.output("y");
  expect_error(m.bytes(), "outside");
}

TEST(BadModels, OverflowingCountIsAnErrorNamingTheNode) {
  OnnxBuilder m;
  const int64_t big = int64_t{1} << 32;
  m.input("a", {big, big}).input("b", {big, big});
  m.node("MatMul", {"a", "b"}, {"y"});
  m.output("y");
  auto graph = load_onnx_bytes(m.bytes(), "big.onnx", {});
  ASSERT_TRUE(graph.ok()) << graph.error().message;
  auto report = count_flops(*graph, Convention::kWattcast);
  ASSERT_FALSE(report.ok());
  EXPECT_NE(report.error().message.find("MatMul_1"), std::string::npos) << report.error().message;
  EXPECT_NE(report.error().message.find("overflows"), std::string::npos);
}

TEST(BadModels, MalformedNodeIsAnError) {
  OnnxBuilder m;
  m.input("x", {1, 4});
  m.node("Relu", {"x", "x", "x"}, {"y"});  // Relu takes one input
  m.output("y");
  expect_error(m.bytes(), "Relu");
}

// Inputs the fuzzer found; each must give an error or a result, never a crash.
TEST(BadModels, FuzzerRegressionsLoadWithoutCrashing) {
  const auto dir = kFixtures / "regressions";
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (!entry.is_regular_file() || entry.path().filename() == "README.md") continue;
    ++files;
    auto graph = load_onnx_bytes(read_file(entry.path()), entry.path().filename().string(), {});
    if (!graph) continue;
    auto report = count_flops(*graph, Convention::kWattcast);
    if (report) {
      auto training = training_flops(*graph, *report, {}, 1);
      (void)training;
    }
  }
  EXPECT_GT(files, 0);
}

}  // namespace
}  // namespace wattcast
