#include "project/epoch_clock.h"

namespace wattcast {

std::optional<EpochRecord> EpochClock::begin(int epoch, double t_s, double energy_so_far_j) {
  std::optional<EpochRecord> finished;
  if (open_ && open_->epoch != epoch) {
    EpochRecord record;
    record.epoch = open_->epoch;
    record.start_s = open_->start_s - run_start_s_;
    record.end_s = t_s - run_start_s_;
    record.energy_j = energy_so_far_j - open_->start_energy_j;
    finished = record;
    last_end_s_ = t_s;
    last_end_energy_j_ = energy_so_far_j;
  }
  open_ = Open{epoch, t_s, energy_so_far_j};
  return finished;
}

std::optional<EpochRecord> EpochClock::end(int epoch, double t_s, double energy_so_far_j, const std::map<std::string, double>& metrics) {
  // Without a begin marker the epoch began where the previous ended, or at the run's start.
  Open began = open_ && open_->epoch == epoch ? *open_ : Open{epoch, last_end_s_.value_or(run_start_s_), last_end_energy_j_.value_or(0)};
  open_.reset();
  last_end_s_ = t_s;
  last_end_energy_j_ = energy_so_far_j;
  EpochRecord record;
  record.epoch = epoch;
  record.start_s = began.start_s - run_start_s_;
  record.end_s = t_s - run_start_s_;
  record.energy_j = energy_so_far_j - began.start_energy_j;
  record.metrics = metrics;
  return record;
}

}  // namespace wattcast
