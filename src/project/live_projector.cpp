#include "project/live_projector.h"

#include <algorithm>

#include <fmt/format.h>

#include "core/human_numbers.h"
#include "project/earliest_projection.h"
#include "project/epoch_folding.h"

namespace wattcast {

Result<LiveProjector> LiveProjector::create(LiveProjectorOptions options) {
  // Checked here so that a misspelt --detector fails before the run starts.
  if (auto detector = make_detector(options.detector); !detector) return detector.error();
  options.epochs_held = std::max(options.epochs_held, 2 * options.projection.window);
  return LiveProjector(std::move(options));
}

std::optional<std::string> LiveProjector::budget_spent(double energy_so_far_j) const {
  if (!options_.budget || energy_so_far_j <= options_.budget->limit_j) return std::nullopt;
  return fmt::format("energy budget {} spent: {} kJ used after {} epochs", options_.budget->label, plain_number(energy_so_far_j / 1000),
                     seen_.epochs_seen());
}

void LiveProjector::check_budget(std::optional<std::string> over, LiveUpdate& update) {
  if (!over) return;
  if (!budget_warned_) update.warnings.push_back(*over);
  budget_warned_ = true;
  update.stop_reason = *over;
}

LiveUpdate LiveProjector::energy_so_far(double energy_j) {
  LiveUpdate update;
  check_budget(budget_spent(energy_j), update);
  return update;
}

LiveUpdate LiveProjector::epoch_finished(EpochRecord epoch) {
  LiveUpdate update;
  epoch.epoch = seen_.epochs_seen() + 1;
  seen_.epochs.push_back(std::move(epoch));
  // Folded a block at a time, so that each epoch costs no more than the window held.
  const auto held = static_cast<size_t>(options_.epochs_held);
  if (seen_.epochs.size() >= 2 * held) fold_oldest_epochs(seen_, seen_.epochs.size() - held);
  const double spent_j = seen_.measured_j();

  const int seen = seen_.epochs_seen();
  if (options_.total_epochs >= seen) {
    // The same function as `project --at-epoch`, so the live figures and the stored run's agree.
    if (auto projected = project_after(seen_, options_.detector, options_.total_epochs, options_.projection)) {
      update.stabilization = projected->stabilization;
      latest_ = projected->projections.projections.front();
      update.projection = latest_;
      update.notes = projected->notes;
    }
  }
  if (options_.budget) {
    std::optional<std::string> over = budget_spent(spent_j);
    const EnergyBudget& budget = *options_.budget;
    if (!over && update.projection && update.projection->low_j > budget.limit_j) {
      over = fmt::format("energy budget {} will be exceeded: projected {} kJ (90% interval {}-{} kJ) after {} of {} epochs",
                         budget.label, plain_number(update.projection->energy_j / 1000), plain_number(update.projection->low_j / 1000),
                         plain_number(update.projection->high_j / 1000), seen, options_.total_epochs);
    }
    check_budget(over, update);
  }
  if (options_.early_stopping) {
    update.gain = assess_gain_per_energy(seen_, latest_, *options_.early_stopping);
    if (update.gain && update.gain->stop && !update.stop_reason) update.stop_reason = update.gain->reason;
  }
  return update;
}

}  // namespace wattcast
