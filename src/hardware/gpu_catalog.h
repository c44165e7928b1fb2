#pragma once
// The embedded table of NVIDIA GPUs (data/gpus.csv) and fuzzy lookup by name.

#include <string>
#include <vector>

#include "core/result.h"
#include "hardware/gpu_spec.h"

namespace wattcast {

class GpuCatalog {
 public:
  static Result<GpuCatalog> load(const std::string& csv_path);

  const std::vector<GpuSpec>& all() const { return gpus_; }
  // Every GPU whose name contains all the query's tokens, best first; all GPUs for an empty query.
  std::vector<const GpuSpec*> search(const std::string& query) const;
  // The single best match, or an error naming the closest matches.
  Result<GpuSpec> resolve(const std::string& query) const;

 private:
  std::vector<GpuSpec> gpus_;
  std::vector<std::string> names_;
};

}  // namespace wattcast
