#pragma once
// A finished run as `measure` would have seen it: the projections at the first epoch where the
// detector (falling back fluss -> online -> fixed) and the window allowed one. Shared by
// `wattcast project` and the report.

#include <string>
#include <vector>

#include "core/result.h"
#include "project/epoch_trace.h"
#include "project/projection.h"
#include "project/stabilization.h"

namespace wattcast {

// The asked-for detector, else the next in fluss -> online -> fixed; `notes` says which failed
// and why. An error only when every detector failed.
Result<Stabilization> detect_with_fallback(const EpochTrace& seen, const std::string& first_detector, std::vector<std::string>* notes);

struct TimedProjection {
  int epochs_seen = 0;
  Stabilization stabilization;
  ProjectionSet projections;
  std::vector<std::string> notes;  // fallbacks used
};

// Where the stable stretch starts: the detector's epoch, or a later phase switch shown by the
// parameter counts (the detectors need a few epochs at the new level to see it); `notes` says so.
Stabilization with_phase_signal(const EpochTrace& seen, Stabilization found, std::vector<std::string>* notes);

// The projections after the epochs in `seen`: what `measure` shows live (its line, summary,
// budget and early stopping) and what `project --at-epoch K` shows for the stored run, made by
// this one function so that they cannot differ.
Result<TimedProjection> project_after(const EpochTrace& seen, const std::string& detector, int total_epochs, const ProjectionOptions& options);

// After each of `candidate_epochs` in turn, the first that gives a projection; the error says
// why the last one did not.
Result<TimedProjection> first_projection(const EpochTrace& trace, const std::vector<int>& candidate_epochs, const std::string& detector,
                                         int total_epochs, const ProjectionOptions& options);

}  // namespace wattcast
