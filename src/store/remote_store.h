#pragma once
// A run store on the far side of a network link (PostgreSQL): it can lose its server mid-run and
// get it back. The monitor keeps such a store behind a spool (spooling_store.h), which needs to
// tell "the server went away" from "the data was refused", and to replay without duplicating.

#include "store/run_store.h"

namespace wattcast {

class RemoteStore : public RunStore {
 public:
  // True while the server cannot be reached: the last call failed for that reason (not because
  // of its data), or did not finish within the store's bound (a server that is up but does not
  // answer), and no call has reached the server since.
  virtual bool connection_lost() const = 0;
  // Drops the connection and opens a new one.
  virtual Status reconnect() = 0;
  // The store as the user named it, password masked: for messages.
  virtual std::string display_name() const = 0;

  // For replaying a spool: a batch whose commit was cut off before the server acknowledged it
  // may already be stored, or be stored while the replay runs (the server resumes the write the
  // monitor gave up on). Whatever of the batch is stored is skipped instead of rejected as a
  // duplicate, once that write has ended; nothing is stored twice.
  virtual Status replay_samples(const std::vector<SampleRecord>& samples) = 0;
  virtual Status replay_markers(const std::vector<MarkerRecord>& markers) = 0;
};

}  // namespace wattcast
