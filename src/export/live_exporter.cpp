#include "export/live_exporter.h"

#include <numeric>

namespace wattcast {

namespace {

double run_energy_j(const std::vector<DeviceTotal>& totals) {
  return std::accumulate(totals.begin(), totals.end(), 0.0, [](double sum, const DeviceTotal& t) { return sum + t.energy_j; });
}

}  // namespace

Result<std::unique_ptr<LiveExporter>> LiveExporter::start(const ListenAddress& address, std::string version) {
  std::unique_ptr<LiveExporter> exporter(new LiveExporter());
  exporter->version_ = std::move(version);
  LiveExporter* raw = exporter.get();
  auto server = MetricsServer::start(address, [raw] { return render_metrics(*raw->board_.current(), raw->version_); });
  if (!server) return server.error();
  exporter->server_ = std::move(server).value();
  return exporter;
}

void LiveExporter::watch(const RunRecord& run, const std::vector<DeviceRecord>& devices) { metrics_.emplace(run, devices); }

void LiveExporter::note_markers(const std::vector<MarkerRecord>& markers, const Sampler& sampler) {
  if (metrics_ && !markers.empty()) metrics_->note_markers(markers, run_energy_j(sampler.device_totals()));
}

void LiveExporter::publish(const Sampler& sampler, bool running) {
  if (!metrics_) return;
  board_.publish(metrics_->snapshot(sampler.device_totals(), sampler.live(), unix_time_s(), running));
}

}  // namespace wattcast
