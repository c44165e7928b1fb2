#include "project/run_overhead.h"

namespace wattcast {

TeardownAllowance teardown_allowance(const EpochTrace& seen) {
  TeardownAllowance out;
  if (seen.epochs.empty()) return out;
  const double startup_j = seen.epochs.front().energy_before_j;
  out.expected_j = kTeardownShareOfStartup * startup_j;
  out.high_j = kTeardownHighShareOfStartup * startup_j;
  return out;
}

}  // namespace wattcast
