#pragma once
// Learning from the user's own runs (`estimate --store DB`): finished runs that `wattcast
// measure` recorded on the same GPU model correct a model's estimate, shrunk towards the model
// when there are few of them.

#include <string>
#include <vector>

#include "core/result.h"
#include "estimate/estimator.h"
#include "estimate/measured_run.h"
#include "hardware/gpu_catalog.h"
#include "store/run_store.h"

namespace wattcast {

// The tags a stored run needs to become a measured configuration (`measure --tag KEY=VALUE`).
// gpu (a catalog name; else the run's first GPU as NVML named it) and input_size, precision and
// power_limit_w are optional.
inline constexpr const char* kStoreRunTags[] = {"gflops", "batch_size", "train_samples", "val_samples"};

struct StoreRuns {
  std::vector<MeasuredRun> runs;  // GPU power and epoch energy per run, mean over its epochs
  // Per run: the name its GPU reported (NVML's "NVIDIA H200" names two catalog boards).
  std::vector<std::string> reported_gpu;
  size_t skipped = 0;             // finished runs without the tags, epochs or a GPU
};

Result<StoreRuns> runs_from_store(RunStore& store, const GpuCatalog& catalog);

struct StoreCorrection {
  size_t runs_used = 0;
  double power_factor = 1;   // applied to power
  double energy_factor = 1;  // applied to epoch energy (time follows)
};

// Runs with a little weight each: the mean log ratio measured / predicted, times n / (n + 3),
// so one run moves the estimate a quarter of the way and twelve runs four fifths.
inline constexpr double kStorePriorRuns = 3.0;

// A run counts when its GPU is the request's: the same catalog entry, or a reported name whose
// every word is in the request's GPU name. It is predicted on the request's GPU.
StoreCorrection store_correction(const Estimator& model, const StoreRuns& own, const TrainingConfig& request);
// The model's estimate moved by the correction; power stays under the limit in force.
EpochPrediction corrected(const EpochPrediction& p, const StoreCorrection& c, double limit_w);

// A model whose every estimate is moved by one correction (the request's GPU).
class StoreCorrectedEstimator : public Estimator {
 public:
  StoreCorrectedEstimator(const Estimator& base, StoreCorrection correction) : base_(base), correction_(correction) {}
  std::string name() const override { return base_.name(); }
  EpochPrediction predict(const TrainingConfig& config) const override;
  std::vector<Extrapolation> extrapolation(const TrainingConfig& config) const override { return base_.extrapolation(config); }
  const StoreCorrection& correction() const { return correction_; }

 private:
  const Estimator& base_;
  StoreCorrection correction_;
};

}  // namespace wattcast
