#pragma once
// The runs of an experiment: every combination of factor levels, `repetitions` times, in a
// random order drawn from the plan's seed (so a confound that drifts over time, such as the
// room warming up, spreads over all configurations instead of hitting one).

#include <map>
#include <string>
#include <vector>

#include "experiment/experiment_plan.h"

namespace wattcast {

struct Trial {
  int index = 0;       // 1-based position in the schedule: the run order
  int repetition = 0;  // 1..repetitions, within its configuration
  std::map<std::string, std::string> levels;
  std::string command;
};

// Deterministic for a plan: the same seed gives the same order, so a resumed experiment finds
// its trials where they were.
std::vector<Trial> make_schedule(const ExperimentPlan& plan);

// "architecture=vgg16 batch_size=32"
std::string configuration_label(const std::map<std::string, std::string>& levels);

}  // namespace wattcast
