#pragma once
// A stabilization detector cheap enough to run after every epoch (O(epochs)). Training is
// stable from the earliest epoch of the latest unbroken stretch of epochs whose energy and
// duration stay within a tolerance of the recent level; the tolerance is a multiple of the
// epoch-to-epoch noise, measured robustly. Runs with a periodic pattern (a validation pass
// every L epochs) are compared in sums of L consecutive epochs, which are level again; one odd
// epoch between two level ones (a checkpoint) does not break the stretch. docs/PROJECTION.md
// gives the rule and its constants.

#include "project/stabilization.h"

namespace wattcast {

struct OnlineDetectorOptions {
  int recent_epochs = 5;        // the level: median of the last ones
  int noise_epochs = 12;        // the epoch-to-epoch noise and the period: from the last ones
  int max_period = 5;           // longest periodic pattern looked for, in epochs
  int min_stable_epochs = 3;    // a stretch shorter than this is not called stable
  double min_tolerance = 0.02;  // relative; widened to noise_multiplier x the noise ...
  double noise_multiplier = 3.5;
  double max_tolerance = 0.15;  // ... but epochs further apart than this are never "level"
};

class OnlineDetector : public StabilizationDetector {
 public:
  explicit OnlineDetector(OnlineDetectorOptions options = {}) : options_(options) {}
  std::string_view name() const override { return "online"; }
  Result<Stabilization> detect(const EpochTrace& trace) const override;

 private:
  OnlineDetectorOptions options_;
};

}  // namespace wattcast
