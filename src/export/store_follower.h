#pragma once
// `wattcast exporter`: the runs of a store, followed as they are written. Each poll reads only
// what is new: a run's samples past the last tick read (RunStore::samples_after), its markers
// (few, re-read whole) and its record (to see it end). A run that has ended and been read to
// its end is not read again. The list of runs is read at most every `discover_every_s`, so a
// store of many runs is not listed on every scrape.

#include <map>
#include <set>
#include <vector>

#include "export/metrics_snapshot.h"
#include "export/run_follower.h"
#include "store/run_store.h"

namespace wattcast {

enum class RunSelection {
  kLive,    // runs going on, and new ones as they start
  kAll,     // every run in the store, and new ones
  kListed,  // the runs named
};

struct FollowOptions {
  RunSelection selection = RunSelection::kLive;
  std::vector<int64_t> run_ids;  // kListed
  // kLive: how long a run stays exported after it ends, so the last figures get scraped.
  double keep_ended_s = 300;
  double discover_every_s = 2;
};

class StoreFollower {
 public:
  StoreFollower(RunStore& store, FollowOptions options) : store_(store), options_(std::move(options)) {}

  // An error names the run; what was read before it stays.
  Status poll(double now_s);
  MetricsSnapshot snapshot(double now_s) const;

 private:
  Status discover(double now_s);
  Status start_following(const RunRecord& run);
  Status read_new(RunFollower& follower);

  RunStore& store_;
  FollowOptions options_;
  std::map<int64_t, RunFollower> runs_;
  std::set<int64_t> complete_;  // ended and read to the end
  std::set<int64_t> retired_;   // kLive: ended more than keep_ended_s ago
  bool discovered_once_ = false;
  double last_discovery_s_ = 0;
};

}  // namespace wattcast
