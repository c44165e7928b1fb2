#pragma once
// One multi-rank job from its stored runs: the node monitors' runs (role=node) hold each node's
// devices, the ranks' runs (role=rank, and the node monitors, which are ranks too) hold the
// epoch markers and exit codes. Totals are the node runs' sums; epoch k spans from the earliest
// rank's start of epoch k (or the end of epoch k-1, if later: epochs never overlap) to the
// latest rank's end of it, and its energy is every node's device energy inside that window.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "monitor/run_summary.h"

namespace wattcast {

struct JobNode {
  std::string host;
  std::vector<int64_t> node_runs;  // usually one; more when the node monitor changed mid-job
  std::vector<int> ranks;          // ranks whose runs were on this host
  double energy_j = 0;
  double co2e_g = 0;
  double start_s = 0, end_s = 0;
  size_t gpus = 0;
};

struct JobDevice {
  std::string host;
  int64_t run_id = 0;
  DeviceEnergy device;
};

struct JobEpoch {
  int epoch = 0;
  double start_s = 0, end_s = 0;
  double energy_j = 0;
  int ranks_reporting = 0;
  std::map<std::string, double> metrics;  // the lowest rank's that reported any
};

struct JobRank {
  int64_t run_id = 0;
  std::string host;
  std::optional<int> rank;
  bool node_monitor = false;
  std::optional<int> exit_code;  // absent while running (or when its monitor was killed)
  std::string end_reason;
};

struct JobSummary {
  std::string job;
  double start_s = 0, end_s = 0;
  double energy_j = 0;
  double co2e_g = 0;
  std::vector<JobNode> nodes;
  std::vector<JobDevice> devices;  // by host
  std::vector<JobEpoch> epochs;
  std::vector<JobRank> ranks;  // by rank
  std::optional<int> world_size;
  std::vector<int> missing_ranks;     // below world_size, with no run in the store
  std::vector<std::string> warnings;  // still running, hosts without a node monitor, overlaps
};

// `runs`: every stored run tagged job=`job`.
JobSummary summarize_job(const std::string& job, const std::vector<StoredRun>& runs);

}  // namespace wattcast
