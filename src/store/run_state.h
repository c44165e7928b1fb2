#pragma once
// Whether a stored run goes on. A run the store has not seen end is running only while its
// monitor gives signs of life: the monitor records a heartbeat at every flush (every second), so
// a run whose monitor was killed (SIGKILL, its machine gone) is shown as "monitor lost at T" by
// every reader, never as running forever. The command it measured may well go on: wattcast
// leaves the user's work alone when its measurement dies.

#include <optional>
#include <string>

#include "store/run_store.h"

namespace wattcast {

// Many flush intervals: a monitor whose store is slow for a moment is not taken for lost.
inline constexpr double kMonitorLostAfter_s = 15;

// When the monitor of a run that has not ended was last seen, if it has been silent for
// kMonitorLostAfter_s by `now_s`. A run from before heartbeats counts from its start.
std::optional<double> monitor_lost_at(const RunRecord& run, double now_s);
// When the run ended, or its monitor was last seen if it is lost; nullopt while it goes on.
std::optional<double> run_over_at(const RunRecord& run, double now_s);
// The end reason, "running", or "monitor lost at 2026-12-04 19:40:12" (local time).
std::string run_state_text(const RunRecord& run, double now_s);
// "2026-12-04 19:40:12", local time.
std::string local_time_text(double unix_s);

}  // namespace wattcast
