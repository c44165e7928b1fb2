#include "project/epoch_clock.h"

namespace wattcast {

EpochRecord EpochClock::record_of(const Open& open, double t_s, double energy_so_far_j) const {
  EpochRecord record;
  record.epoch = open.epoch;
  record.start_s = open.start_s - run_start_s_;
  record.end_s = t_s - run_start_s_;
  record.energy_j = energy_so_far_j - open.start_energy_j;
  record.energy_before_j = open.energy_before_j;
  record.trainable_params = open.trainable_params;
  record.total_params = open.total_params;
  return record;
}

std::optional<EpochRecord> EpochClock::begin(int epoch, double t_s, double energy_so_far_j, std::optional<double> trainable_params,
                                             std::optional<double> total_params) {
  std::optional<EpochRecord> finished;
  if (open_ && open_->epoch != epoch) {
    finished = record_of(*open_, t_s, energy_so_far_j);
    last_end_s_ = t_s;
    last_end_energy_j_ = energy_so_far_j;
  }
  // The monitor's running total starts at 0 with the run: before the first epoch, all of it
  // is the start-up.
  const double before_j = energy_so_far_j - last_end_energy_j_.value_or(0);
  open_ = Open{epoch, t_s, energy_so_far_j, before_j, trainable_params, total_params};
  return finished;
}

std::optional<EpochRecord> EpochClock::end(int epoch, double t_s, double energy_so_far_j, const std::map<std::string, double>& metrics) {
  // Without a begin marker the epoch began where the previous ended, or at the run's start.
  Open began = open_ && open_->epoch == epoch ? *open_ : Open{epoch, last_end_s_.value_or(run_start_s_), last_end_energy_j_.value_or(0)};
  open_.reset();
  last_end_s_ = t_s;
  last_end_energy_j_ = energy_so_far_j;
  EpochRecord record = record_of(began, t_s, energy_so_far_j);
  record.metrics = metrics;
  return record;
}

}  // namespace wattcast
