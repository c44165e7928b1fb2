#include "project/epoch_folding.h"

#include <algorithm>

#include "project/phase_signal.h"

namespace wattcast {

void fold_oldest_epochs(EpochTrace& trace, size_t count) {
  count = std::min(count, trace.epochs.size());
  if (count == 0) return;
  FoldedEpochs& folded = trace.folded;
  const auto end = trace.epochs.begin() + static_cast<std::ptrdiff_t>(count);
  // The latest phase switch up to the last epoch folded, by the same rule as over the whole run.
  EpochTrace oldest;
  oldest.folded = folded;
  oldest.epochs.assign(trace.epochs.begin(), end);
  if (auto found = latest_phase_switch(oldest)) {
    folded.phase_switch_epoch = found->epoch;
    folded.phase_switch_note = found->note;
  }
  for (auto it = trace.epochs.begin(); it != end; ++it) {
    const EpochRecord& epoch = *it;
    if (folded.count == 0) folded.startup_j = epoch.energy_before_j;
    ++folded.count;
    // The same terms, in the same order, as the sums over the epochs themselves.
    folded.measured_j += epoch.energy_before_j + epoch.energy_j;
    folded.epochs_j += epoch.energy_j;
    folded.outside_j += epoch.energy_before_j;
    folded.duration_s += epoch.duration_s();
    if (epoch.trainable_params || epoch.total_params) {
      folded.trainable_params = epoch.trainable_params;
      folded.total_params = epoch.total_params;
    }
    if (folded.first_metric.empty() && !epoch.metrics.empty()) folded.first_metric = epoch.metrics.begin()->first;
  }
  trace.epochs.erase(trace.epochs.begin(), end);
}

}  // namespace wattcast
