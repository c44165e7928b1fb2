#include "project/earliest_projection.h"

#include <algorithm>

#include "project/phase_signal.h"

namespace wattcast {

Result<Stabilization> detect_with_fallback(const EpochTrace& seen, const std::string& first_detector, std::vector<std::string>* notes) {
  std::vector<std::string> chain = {first_detector};
  for (const char* next : {"online", "fixed"}) {
    if (std::find(chain.begin(), chain.end(), next) == chain.end()) chain.push_back(next);
  }
  std::string failures;
  for (const auto& name : chain) {
    auto detector = make_detector(name);
    if (!detector) return detector.error();
    auto found = (*detector)->detect(seen);
    if (found) {
      if (!failures.empty() && notes) notes->push_back(failures + "; used the " + name + " detector");
      return found;
    }
    failures += (failures.empty() ? "" : "; ") + found.error().message;
  }
  return Error{failures};
}

Stabilization with_phase_signal(const EpochTrace& seen, Stabilization found, std::vector<std::string>* notes) {
  const auto phase_switch = latest_phase_switch(seen);
  if (!phase_switch) return found;
  if (notes) notes->push_back(phase_switch->note);
  if (phase_switch->epoch > found.epoch) {
    found.epoch = phase_switch->epoch;
    found.note = phase_switch->note;
  }
  return found;
}

Result<TimedProjection> project_after(const EpochTrace& seen, const std::string& detector, int total_epochs, const ProjectionOptions& options) {
  TimedProjection out;
  auto stable = detect_with_fallback(seen, detector, &out.notes);
  if (!stable) return stable.error();
  out.stabilization = with_phase_signal(seen, *stable, &out.notes);
  auto projected = project_total(seen, out.stabilization, total_epochs, options);
  if (!projected) return projected.error();
  out.epochs_seen = seen.epochs_seen();
  out.projections = *projected;
  if (const auto& p = out.projections.projections.front(); !p.wide_because.empty()) out.notes.push_back("the interval is wide: " + p.wide_because);
  return out;
}

Result<TimedProjection> first_projection(const EpochTrace& trace, const std::vector<int>& candidate_epochs, const std::string& detector,
                                         int total_epochs, const ProjectionOptions& options) {
  std::string last_error = "no epoch to project from";
  for (int k : candidate_epochs) {
    auto found = project_after(trace.first_epochs(static_cast<size_t>(k)), detector, total_epochs, options);
    if (found) return found;
    last_error = found.error().message;
  }
  return Error{last_error};
}

}  // namespace wattcast
