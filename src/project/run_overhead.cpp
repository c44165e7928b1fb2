#include "project/run_overhead.h"

namespace wattcast {

TeardownAllowance teardown_allowance(const EpochTrace& seen) {
  TeardownAllowance out;
  if (seen.epochs_seen() == 0) return out;
  const double startup_j = seen.folded.count > 0 ? seen.folded.startup_j : seen.epochs.front().energy_before_j;
  out.expected_j = kTeardownShareOfStartup * startup_j;
  out.high_j = kTeardownHighShareOfStartup * startup_j;
  return out;
}

}  // namespace wattcast
