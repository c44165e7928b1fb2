#pragma once

#include <optional>
#include <string>

namespace wattcast {

// What the estimators need to know about a GPU. Catalog entries carry more; a GPU given by
// its specs on the command line has only the first four.
struct GpuSpec {
  std::string name;
  double cuda_cores = 0;
  double memory_gb = 0;
  double tdp_w = 0;
  std::optional<double> fp32_tflops;
  std::string architecture;
  std::string release_date;
};

}  // namespace wattcast
