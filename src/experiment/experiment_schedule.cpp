#include "experiment/experiment_schedule.h"

#include <random>

namespace wattcast {

std::vector<Trial> make_schedule(const ExperimentPlan& plan) {
  std::vector<std::map<std::string, std::string>> configurations = {{}};
  for (const auto& factor : plan.factors) {
    std::vector<std::map<std::string, std::string>> extended;
    for (const auto& partial : configurations) {
      for (const auto& level : factor.levels) {
        auto next = partial;
        next[factor.name] = level;
        extended.push_back(std::move(next));
      }
    }
    configurations = std::move(extended);
  }
  std::vector<Trial> trials;
  for (int repetition = 1; repetition <= plan.repetitions; ++repetition) {
    for (const auto& levels : configurations) trials.push_back({0, repetition, levels, expand_template(plan.command, levels)});
  }
  // Fisher-Yates with an explicit engine and index draws: std::shuffle's use of the engine is
  // not specified, and the order must not change with the standard library.
  std::mt19937_64 random(plan.seed);
  for (size_t i = trials.size(); i > 1; --i) {
    const size_t j = static_cast<size_t>(random() % i);
    std::swap(trials[i - 1], trials[j]);
  }
  for (size_t i = 0; i < trials.size(); ++i) trials[i].index = static_cast<int>(i) + 1;
  return trials;
}

std::string configuration_label(const std::map<std::string, std::string>& levels) {
  std::string out;
  for (const auto& [name, level] : levels) out += (out.empty() ? "" : " ") + name + "=" + level;
  return out;
}

}  // namespace wattcast
