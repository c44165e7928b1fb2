#include "project/phase_signal.h"

#include <cmath>

#include <fmt/format.h>

namespace wattcast {

std::string parameter_count_text(double count) {
  if (std::abs(count) >= 1e9) return fmt::format("{:.3g}G", count / 1e9);
  if (std::abs(count) >= 1e6) return fmt::format("{:.3g}M", count / 1e6);
  if (std::abs(count) >= 1e3) return fmt::format("{:.3g}k", count / 1e3);
  return fmt::format("{:.0f}", count);
}

std::optional<PhaseSwitch> latest_phase_switch(const EpochTrace& seen) {
  std::optional<PhaseSwitch> latest;
  const EpochRecord* previous = nullptr;
  for (const auto& epoch : seen.epochs) {
    if (!epoch.trainable_params && !epoch.total_params) continue;
    if (previous && (previous->trainable_params != epoch.trainable_params || previous->total_params != epoch.total_params)) {
      std::string what;
      if (previous->trainable_params != epoch.trainable_params && previous->trainable_params && epoch.trainable_params) {
        what = fmt::format("trainable parameters {} -> {}", parameter_count_text(*previous->trainable_params),
                           parameter_count_text(*epoch.trainable_params));
      } else if (previous->total_params && epoch.total_params) {
        what = fmt::format("total parameters {} -> {}", parameter_count_text(*previous->total_params), parameter_count_text(*epoch.total_params));
      } else {
        what = "parameter counts changed";
      }
      latest = PhaseSwitch{epoch.epoch, fmt::format("phase switch at epoch {}: {}; the window restarts there", epoch.epoch, what)};
    }
    previous = &epoch;
  }
  return latest;
}

std::string switch_still_possible(const EpochTrace& seen, int horizon_epoch) {
  const int k = static_cast<int>(seen.epochs.size());
  if (k >= horizon_epoch) return "";
  const EpochRecord* reported = nullptr;
  for (const auto& epoch : seen.epochs) {
    if (epoch.trainable_params && epoch.total_params) reported = &epoch;
  }
  if (reported && *reported->trainable_params >= *reported->total_params) return "";
  const std::string why = reported ? fmt::format("{} of the model's {} parameters train", parameter_count_text(*reported->trainable_params),
                                                 parameter_count_text(*reported->total_params))
                                   : "the training code reports no parameter counts";
  return fmt::format("a phase switch (unfreezing layers) may still come by epoch {} ({})", horizon_epoch, why);
}

}  // namespace wattcast
