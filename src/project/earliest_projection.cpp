#include "project/earliest_projection.h"

#include <algorithm>

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

Result<TimedProjection> first_projection(const EpochTrace& trace, const std::vector<int>& candidate_epochs, const std::string& detector,
                                         int total_epochs, const ProjectionOptions& options) {
  std::string last_error = "no epoch to project from";
  for (int k : candidate_epochs) {
    const EpochTrace seen = trace.first_epochs(static_cast<size_t>(k));
    TimedProjection out;
    auto stable = detect_with_fallback(seen, detector, &out.notes);
    if (!stable) {
      last_error = stable.error().message;
      continue;
    }
    auto projected = project_total(seen, *stable, total_epochs, options);
    if (!projected) {
      last_error = projected.error().message;
      continue;
    }
    out.epochs_seen = k;
    out.stabilization = *stable;
    out.projections = *projected;
    return out;
  }
  return Error{last_error};
}

}  // namespace wattcast
