#pragma once
// The study's detector: semantic segmentation of the power trace with FLUSS on its matrix
// profile (src/analysis). The trace is resampled to a fixed number of points per epoch, the
// subsequence window is half an epoch, and the strongest regime boundary (the corrected arc
// curve's minimum) is mapped to the epoch starting nearest to it. Confidence = 1 - that minimum;
// a minimum above `max_cac` is no evidence of a change and is reported as an error, so callers
// fall back to another detector. Details in docs/PROJECTION.md.

#include "project/stabilization.h"

namespace wattcast {

struct FlussDetectorOptions {
  int points_per_epoch = 64;
  int window_points = 32;
  size_t exclusion_factor = 3;  // edge zone: exclusion_factor x window = 1.5 epochs
  double max_cac = 0.6;
  int min_epochs = 6;
};

class FlussDetector : public StabilizationDetector {
 public:
  explicit FlussDetector(FlussDetectorOptions options = {}) : options_(options) {}
  std::string_view name() const override { return "fluss"; }
  Result<Stabilization> detect(const EpochTrace& trace) const override;

  // The resampled trace, the arc curve and the boundaries, for `wattcast segment`.
  struct Segmentation {
    double point_s = 0;  // seconds per resampled point
    std::vector<double> power_w;
    std::vector<double> corrected_arc_curve;
    std::vector<size_t> boundaries;  // resampled point indices, strongest first
    std::vector<int> boundary_epochs;
    double min_cac = 1;
    size_t window_points = 0;
    // Boundaries stay this many points apart and away from the ends (FLUSS's exclusion zone),
    // which bounds the regimes a trace can hold.
    size_t exclusion_points = 0;
    size_t max_regimes = 1;
  };
  Result<Segmentation> segment(const EpochTrace& trace, size_t regimes = 2) const;

 private:
  FlussDetectorOptions options_;
};

}  // namespace wattcast
