#pragma once
// Samples the store never took (a disk that stayed full to the end of the run, or more than the
// sampler keeps waiting in memory). The monitor's own totals saw every sample, so the run's
// record says which span is missing and keeps the monitor's energy totals, and every reader
// (`show`, the summary, `report`) takes the run's energy from them instead of from the stored
// samples. The record is a marker of its own type, which stores of any age hold and readers from
// before it pass over.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "store/run_store.h"

namespace wattcast {

inline constexpr const char* kUnstoredSamplesMarker = "samples_unstored";

struct UnstoredSamples {
  int64_t samples = 0;
  int64_t first_tick = 0, last_tick = 0;
  double first_t_s = 0, last_t_s = 0;  // Unix time
  std::string reason;                  // the store's last refusal ("database or disk is full")
};

// What the run's record keeps: the span, and the monitor's energy totals over the whole run.
struct UnstoredSamplesRecord {
  UnstoredSamples span;
  double energy_j = 0;                        // all devices
  std::map<int64_t, double> device_energy_j;  // by store device id, the devices with an energy figure
};

MarkerRecord unstored_samples_marker(int64_t run_id, const UnstoredSamplesRecord& record);
// From a run's markers; nothing when every sample was stored.
std::optional<UnstoredSamplesRecord> find_unstored_samples(const std::vector<MarkerRecord>& markers);
// "samples from 0.996 to 20.06 s were not stored (database or disk is full); totals are the
// monitor's own integration", times from the run's start.
std::string unstored_samples_text(const UnstoredSamples& span, double run_start_s);

}  // namespace wattcast
