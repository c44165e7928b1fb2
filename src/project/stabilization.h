#pragma once
// Where a run's training settles: the stabilizing epoch, from which epoch energy and power stay
// level (paper-notes, STEP). Epochs before it (warm-up, caching, the switch from frozen to
// fine-tuned layers) are measured, not projected from.

#include <memory>
#include <string>
#include <string_view>

#include "core/result.h"
#include "project/epoch_trace.h"

namespace wattcast {

struct Stabilization {
  int epoch = 1;          // the first stable epoch, 1-based
  double confidence = 0;  // 0..1, how sure the detector is (its own scale, documented with it)
  std::string detector;   // "fixed", "fluss", "online"
  std::string note;       // how it was found, or which fallback was used
};

class StabilizationDetector {
 public:
  virtual ~StabilizationDetector() = default;
  virtual std::string_view name() const = 0;
  // Uses only what the trace holds, so the same call serves a finished run and a live one
  // (the epochs seen so far). An error says what the detector is missing.
  virtual Result<Stabilization> detect(const EpochTrace& trace) const = 0;
};

// "fixed" (the study's epoch 10), "online" or "fluss".
Result<std::unique_ptr<StabilizationDetector>> make_detector(std::string_view name);

inline constexpr int kStudyStabilizingEpoch = 10;

}  // namespace wattcast
