#pragma once
// What a measured run amounts to, computed from the store alone, so `measure` at exit and
// `show` later print the same figures: energy per device and component, which figures were
// measured and which modelled, per-epoch energy and duration, CO2e.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "monitor/unstored_samples.h"
#include "store/run_store.h"

namespace wattcast {

struct DeviceEnergy {
  DeviceRecord device;
  size_t samples = 0;
  double energy_j = 0;
  double mean_power_w = 0;
  bool from_counter = false;  // hardware energy counter, else integrated power
  std::optional<double> peak_rss_bytes, cpu_time_s;  // process tree
};

struct EpochEnergy {
  int epoch = 0;
  double start_s = 0, end_s = 0;
  double energy_j = 0;  // all devices with a power figure
  double mean_power_w = 0;
  std::map<std::string, double> metrics;
};

// The last projection `measure` made while the run went on (a "projection" marker).
struct RecordedProjection {
  int after_epoch = 0, total_epochs = 0;
  double energy_j = 0, low_j = 0, high_j = 0;
  std::string detector;  // "online from epoch 8"
};

struct RunSummary {
  RunRecord run;
  double duration_s = 0;
  std::vector<DeviceEnergy> devices;
  std::map<std::string, double> energy_by_kind_j;  // gpu, cpu, dram, memory
  std::map<std::string, bool> modelled_by_kind;    // any device of the kind modelled
  double energy_j = 0;
  double mean_power_w = 0;
  // Samples the store never took: the energy figures above (run, component, device) are then the
  // monitor's own, which saw every sample; the epochs' are still from the stored samples.
  std::optional<UnstoredSamplesRecord> unstored;
  std::vector<EpochEnergy> epochs;
  std::optional<RecordedProjection> last_projection;
  // From the run's configuration: where the energy was drawn.
  std::string location;
  double g_co2e_per_kwh = 0;
  double pue = 1;
  double co2e_g = 0;  // energy x PUE x intensity
};

// Everything the store holds for one run, read once, for callers that need the samples too.
struct StoredRun {
  RunRecord run;
  std::vector<DeviceRecord> devices;
  std::vector<SampleRecord> samples;
  std::vector<MarkerRecord> markers;
};

// Epoch windows from the markers, energy not yet filled in: a begin and an end where both exist;
// otherwise an epoch ends where the next begins (or the run ends) and begins where the previous
// ended (or the run began). Shared with the exporter, which follows a run as it is written.
std::vector<EpochEnergy> epoch_windows(const std::vector<MarkerRecord>& markers, double run_start_s, double run_end_s);

Result<StoredRun> load_run(RunStore& store, int64_t run_id);
RunSummary summarize_run(const StoredRun& run);
// The same figures without holding the samples: the markers are read, then the samples walked
// once in tick order (twice for a run without an end). `unstored_marker`: the monitor's record
// of samples the store never took, for when the store did not take that record either.
Result<RunSummary> summarize_run(RunStore& store, int64_t run_id, const std::optional<MarkerRecord>& unstored_marker = std::nullopt);

}  // namespace wattcast
