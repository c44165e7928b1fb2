#include "model/model_gflops.h"

#include <fmt/format.h>

#include "model/flops_counter.h"
#include "model/onnx_loader.h"

namespace wattcast {

Result<ModelGflops> count_model_gflops(const std::string& path, std::optional<int64_t> input_size) {
  InputShapeOptions options;
  options.input_size = input_size;
  options.batch = 1;
  auto graph = load_onnx_file(path, options);
  if (!graph) return graph.error();
  auto report = count_flops(*graph, Convention::kWattcast);
  if (!report) return report.error();
  ModelGflops out;
  out.gflops = static_cast<double>(report->flops) / 1e9;
  out.activation_bytes = static_cast<double>(report->activation_bytes);
  out.parameters = static_cast<double>(report->params);
  out.complete = report->complete();
  out.description = fmt::format("counted from {} by wattcast flops: convention wattcast, forward pass, batch 1, a multiply-add = 2 FLOPs{}", path,
                                out.complete ? "" : "; some operators not counted, see 'wattcast flops'");
  if (out.gflops <= 0) return Error::in_file(path, "the model counts 0 FLOPs: nothing to estimate from (see 'wattcast flops')");
  return out;
}

}  // namespace wattcast
