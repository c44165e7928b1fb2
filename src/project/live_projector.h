#pragma once
// STEP while the run goes on: after every finished epoch, detect stabilization on the epochs
// seen so far, project the total once the window is full, and check the energy budget and the
// early-stopping rule. The monitor acts on what it returns (warn, ask the command to stop).

#include <optional>
#include <string>
#include <vector>

#include "project/early_stopping.h"
#include "project/projection.h"
#include "project/stabilization.h"

namespace wattcast {

struct EnergyBudget {
  double limit_j = 0;
  std::string label;  // as the user gave it: "500 kJ", "0.2 kWh", "80 gCO2e"
};

// Epochs a live run holds (at least; at most twice as many): older ones are folded into sums
// (epoch_folding.h). A run of fewer than twice this many epochs folds none.
inline constexpr int kLiveEpochsHeld = 1000;

struct LiveProjectorOptions {
  int total_epochs = 0;  // 0: unknown, no projection (budget checked on the energy so far)
  int epochs_held = kLiveEpochsHeld;  // raised to twice the projection's window when smaller
  std::string detector = "online";
  ProjectionOptions projection;
  std::optional<EnergyBudget> budget;
  std::optional<GainPerEnergyRule> early_stopping;
};

struct LiveUpdate {
  std::optional<Projection> projection;  // epoch-energy, when available
  std::optional<Stabilization> stabilization;
  std::vector<std::string> notes;  // with the projection: fallbacks, a phase switch, why the interval is wide
  std::optional<GainPerEnergy> gain;
  std::vector<std::string> warnings;      // each said once per run
  std::optional<std::string> stop_reason;  // the run should stop (repeated each epoch while it holds)
};

class LiveProjector {
 public:
  static Result<LiveProjector> create(LiveProjectorOptions options);

  LiveUpdate epoch_finished(EpochRecord epoch);
  // Between epochs (or in a run without epoch markers): the budget against the energy so far.
  LiveUpdate energy_so_far(double energy_j);
  // A rule sent by the training code (the Python callbacks' option); replaces the command line's.
  void set_early_stopping(GainPerEnergyRule rule) { options_.early_stopping = std::move(rule); }

  // The epochs held, and the older ones folded (seen().epochs_seen() counts them all).
  const EpochTrace& seen() const { return seen_; }
  const std::optional<Projection>& latest_projection() const { return latest_; }

 private:
  std::optional<std::string> budget_spent(double energy_so_far_j) const;
  void check_budget(std::optional<std::string> over, LiveUpdate& update);

  explicit LiveProjector(LiveProjectorOptions options) : options_(std::move(options)) {}

  LiveProjectorOptions options_;
  EpochTrace seen_;
  std::optional<Projection> latest_;
  bool budget_warned_ = false;
};

}  // namespace wattcast
