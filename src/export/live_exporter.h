#pragma once
// `measure --prometheus ADDR`: the HTTP server, bound before the run starts, and the snapshots
// of the run being measured that it serves. The monitor's main thread publishes (every supervisor
// tick and once more at the end); the HTTP thread only ever reads the latest snapshot.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "export/live_run_metrics.h"
#include "export/metrics_server.h"
#include "export/metrics_snapshot.h"
#include "monitor/sampler.h"

namespace wattcast {

class LiveExporter {
 public:
  // Binds at once: a port in use is an error before anything else happens.
  static Result<std::unique_ptr<LiveExporter>> start(const ListenAddress& address, std::string version);
  LiveExporter(const LiveExporter&) = delete;
  LiveExporter& operator=(const LiveExporter&) = delete;

  const ListenAddress& address() const { return server_->address(); }
  void watch(const RunRecord& run, const std::vector<DeviceRecord>& devices);
  void note_markers(const std::vector<MarkerRecord>& markers, const Sampler& sampler);
  void publish(const Sampler& sampler, bool running);

 private:
  LiveExporter() = default;
  SnapshotBoard board_;
  std::string version_;
  std::optional<LiveRunMetrics> metrics_;
  std::unique_ptr<MetricsServer> server_;  // last: stopped before the board it reads goes away
};

}  // namespace wattcast
