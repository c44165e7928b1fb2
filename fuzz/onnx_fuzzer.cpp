// libFuzzer target over the ONNX loader and the counter: any bytes must give an Error or a
// report, never a crash, a sanitizer report or a hang.

#include <cstddef>
#include <cstdint>
#include <string>

#include "model/flops_counter.h"
#include "model/onnx_loader.h"
#include "model/training_flops.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace wattcast;
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  InputShapeOptions options;
  // The last byte picks a batch and input size, so the overrides are exercised too.
  if (size > 0 && data[size - 1] % 4 == 1) {
    options.batch = 1 + data[size - 1] / 16;
    options.input_size = 1 + data[size - 1] / 2;
  }
  auto graph = load_onnx_bytes(bytes, "fuzz.onnx", options);
  if (!graph) return 0;
  for (Convention convention : {Convention::kWattcast, Convention::kTorchvision, Convention::kFvcore}) {
    auto report = count_flops(*graph, convention);
    if (!report) continue;
    for (Grouping grouping : {Grouping::kOp, Grouping::kLayerType, Grouping::kNode}) (void)breakdown(*report, grouping);
    (void)training_flops(*graph, *report, {}, options.batch.value_or(1));
  }
  return 0;
}
