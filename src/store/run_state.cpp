#include "store/run_state.h"

#include <ctime>

namespace wattcast {

std::optional<double> monitor_lost_at(const RunRecord& run, double now_s) {
  if (run.end_s) return std::nullopt;
  const double last_seen_s = run.heartbeat_s.value_or(run.start_s);
  if (now_s - last_seen_s <= kMonitorLostAfter_s) return std::nullopt;
  return last_seen_s;
}

std::optional<double> run_over_at(const RunRecord& run, double now_s) {
  if (run.end_s) return run.end_s;
  return monitor_lost_at(run, now_s);
}

std::string run_state_text(const RunRecord& run, double now_s) {
  if (run.end_s) return run.end_reason.empty() ? "ended" : run.end_reason;
  if (const auto lost = monitor_lost_at(run, now_s)) return "monitor lost at " + local_time_text(*lost);
  return "running";
}

std::string local_time_text(double unix_s) {
  const auto t = static_cast<std::time_t>(unix_s);
  std::tm tm{};
  localtime_r(&t, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%d %H:%M:%S", &tm);
  return buffer;
}

}  // namespace wattcast
