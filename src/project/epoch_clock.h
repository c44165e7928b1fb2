#pragma once
// Turns epoch markers, as they arrive during a run, into finished epochs with their energy: the
// monitor's running energy total is read at each marker. An epoch ends at its end marker, or,
// when the source marks only beginnings (a progress line printed as an epoch starts), where
// the next epoch begins.

#include <map>
#include <optional>
#include <string>

#include "project/epoch_trace.h"

namespace wattcast {

class EpochClock {
 public:
  explicit EpochClock(double run_start_s) : run_start_s_(run_start_s) {}

  // Both return the epoch that just finished, if any. The parameter counts are the model's as
  // the epoch begins, when the training code reports them (phase_signal.h).
  std::optional<EpochRecord> begin(int epoch, double t_s, double energy_so_far_j, std::optional<double> trainable_params = {},
                                   std::optional<double> total_params = {});
  std::optional<EpochRecord> end(int epoch, double t_s, double energy_so_far_j, const std::map<std::string, double>& metrics);

 private:
  struct Open {
    int epoch = 0;
    double start_s = 0;
    double start_energy_j = 0;
    double energy_before_j = 0;
    std::optional<double> trainable_params, total_params;
  };
  EpochRecord record_of(const Open& open, double t_s, double energy_so_far_j) const;
  double run_start_s_;
  std::optional<Open> open_;
  std::optional<double> last_end_s_, last_end_energy_j_;
};

}  // namespace wattcast
