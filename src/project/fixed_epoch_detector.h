#pragma once
// The study's default: training is taken as stable from epoch 10, where power had settled in at
// least 90% of its runs (paper-notes), whatever the run looks like.

#include "project/stabilization.h"

namespace wattcast {

class FixedEpochDetector : public StabilizationDetector {
 public:
  explicit FixedEpochDetector(int epoch = kStudyStabilizingEpoch) : epoch_(epoch) {}
  std::string_view name() const override { return "fixed"; }
  Result<Stabilization> detect(const EpochTrace& trace) const override;

 private:
  int epoch_;
};

}  // namespace wattcast
