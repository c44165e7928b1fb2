#pragma once
// Training cost from the forward count (docs/FLOPS.md): backward = gradient with respect to a
// node's input (about its forward cost, needed when anything before it trains) plus gradient
// with respect to its weights (about its forward cost, needed when its weights train). With
// nothing frozen that is the usual ~3x forward.

#include <cstdint>
#include <string>
#include <vector>

#include "core/result.h"
#include "model/flops_counter.h"
#include "model/model_graph.h"

namespace wattcast {

struct TrainingFlops {
  int64_t batch = 1;  // the batch the counts were made at
  int64_t forward_flops = 0;
  int64_t backward_flops = 0;
  int64_t trainable_params = 0;
  int64_t frozen_params = 0;

  double forward_per_sample() const { return static_cast<double>(forward_flops) / static_cast<double>(batch); }
  double training_per_sample() const { return (static_cast<double>(forward_flops) + static_cast<double>(backward_flops)) / static_cast<double>(batch); }
  // Training samples take forward and backward, validation samples forward only.
  double per_epoch(double train_samples, double val_samples) const {
    return train_samples * training_per_sample() + val_samples * forward_per_sample();
  }
};

// Parameters whose initializer name starts with one of `frozen_prefixes` are frozen, as with
// `requires_grad = False` in PyTorch (e.g. "features." or "layer1.").
Result<TrainingFlops> training_flops(const ModelGraph& graph, const FlopsReport& report, const std::vector<std::string>& frozen_prefixes, int64_t batch);

}  // namespace wattcast
