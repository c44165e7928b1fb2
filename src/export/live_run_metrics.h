#pragma once
// `measure --prometheus`: the metrics of the run being measured, from the sampler's running
// totals (not from the store), with its epochs from the markers as they are recorded. Lives on
// the monitor's main thread; what it builds is published to a SnapshotBoard for the HTTP thread.

#include <optional>
#include <vector>

#include "export/metrics_snapshot.h"
#include "monitor/sampler.h"
#include "store/run_store.h"

namespace wattcast {

class LiveRunMetrics {
 public:
  LiveRunMetrics(const RunRecord& run, const std::vector<DeviceRecord>& devices);

  // Markers as they are written; `run_energy_j` is the run's energy when they arrived, which
  // bounds each epoch (to within one sampling interval of the marker).
  void note_markers(const std::vector<MarkerRecord>& markers, double run_energy_j);
  MetricsSnapshot snapshot(const std::vector<DeviceTotal>& totals, const LiveTotals& live, double now_s, bool running) const;

 private:
  struct Epoch {
    int epoch = 0;
    double begin_j = 0;
    std::optional<double> end_j;
  };
  RunMetrics base_;  // everything but the figures
  double start_s_ = 0;
  std::vector<Epoch> epochs_;  // the latest, kEpochSeriesShown to twice as many
};

}  // namespace wattcast
