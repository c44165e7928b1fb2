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
  if (seen.folded.phase_switch_epoch > 0) latest = PhaseSwitch{seen.folded.phase_switch_epoch, seen.folded.phase_switch_note};
  // The counts of the last epoch before that reported any.
  std::optional<double> trainable = seen.folded.trainable_params, total = seen.folded.total_params;
  bool reported = trainable || total;
  for (const auto& epoch : seen.epochs) {
    if (!epoch.trainable_params && !epoch.total_params) continue;
    if (reported && (trainable != epoch.trainable_params || total != epoch.total_params)) {
      std::string what;
      if (trainable != epoch.trainable_params && trainable && epoch.trainable_params) {
        what = fmt::format("trainable parameters {} -> {}", parameter_count_text(*trainable), parameter_count_text(*epoch.trainable_params));
      } else if (total && epoch.total_params) {
        what = fmt::format("total parameters {} -> {}", parameter_count_text(*total), parameter_count_text(*epoch.total_params));
      } else {
        what = "parameter counts changed";
      }
      latest = PhaseSwitch{epoch.epoch, fmt::format("phase switch at epoch {}: {}; the window restarts there", epoch.epoch, what)};
    }
    trainable = epoch.trainable_params;
    total = epoch.total_params;
    reported = true;
  }
  return latest;
}

std::string switch_still_possible(const EpochTrace& seen, int horizon_epoch) {
  if (seen.epochs_seen() >= horizon_epoch) return "";
  // The counts of the last epoch that reported both.
  std::optional<double> trainable, total;
  auto take = [&](const std::optional<double>& t, const std::optional<double>& all) {
    if (!t || !all) return;
    trainable = t;
    total = all;
  };
  take(seen.folded.trainable_params, seen.folded.total_params);
  for (const auto& epoch : seen.epochs) take(epoch.trainable_params, epoch.total_params);
  if (trainable && *trainable >= *total) return "";
  const std::string why = trainable ? fmt::format("{} of the model's {} parameters train", parameter_count_text(*trainable),
                                                  parameter_count_text(*total))
                                    : "the training code reports no parameter counts";
  return fmt::format("a phase switch (unfreezing layers) may still come by epoch {} ({})", horizon_epoch, why);
}

}  // namespace wattcast
