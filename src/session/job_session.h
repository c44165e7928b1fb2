#pragma once
// What `measure` does differently when it is one rank of a multi-rank job (torchrun, srun,
// mpirun, or --job): find the job, take this process's role on its node (the node monitor that
// samples the node's devices, or a rank attached to it), tag the run, record the ranks that
// attach, and at the end wait for them (node monitor) or detach (rank). Outside a job it does
// nothing and `measure` behaves as it always has. See docs/CLUSTER.md.

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cluster/job_context.h"
#include "cluster/node_rendezvous.h"
#include "monitor/sampler.h"
#include "store/run_store.h"

namespace wattcast {

class JobSession {
 public:
  // Detects the job and joins this host's node. `devices`: --devices, else CUDA_VISIBLE_DEVICES
  // decides the GPUs (a node monitor measures them; a rank checks they are among its node
  // monitor's). An error when the job cannot be told (ranks without an id). Call it before
  // anything is written.
  static Result<JobSession> join(const std::optional<std::string>& job_flag, const std::optional<std::string>& devices);

  bool in_job() const { return job_.has_value(); }
  // Whether this process samples the node's devices: the node monitor, or not in a job at all.
  bool samples_node() const { return !member_; }
  const std::string& host() const { return host_; }
  // job, role, rank, local_rank, world_size, local_world_size, ranks (the node monitor's), node_run.
  std::map<std::string, std::string> tags() const;
  // For the command: WATTCAST_SOCKET_RANK, so the Python helper of each rank sends its own
  // markers (outside a job, only rank 0's would go).
  std::vector<std::pair<std::string, std::string>> child_environment() const;
  std::vector<std::string> take_notices() { return std::exchange(notices_, {}); }

  // Once the run exists (and the monitor's signals are blocked): the node monitor starts
  // answering ranks. The ranks' markers and the run's tags go to the store through `writer`'s
  // writer thread, so the thread that calls tick() never waits on the store.
  void started(Sampler& writer, int64_t run_id, const std::map<std::string, std::string>& run_tags);
  // Regularly while the run goes on: records the ranks that came and went; warns once when the
  // node monitor a rank is attached to has gone. Returns lines to print.
  std::vector<std::string> tick();
  // After this process's own command ended. Node monitor: keeps sampling until every attached
  // rank has ended (SIGINT/SIGTERM/SIGHUP stop the wait), calling `on_tick` about every second.
  // Rank: tells the node monitor its exit code. Returns a note for the run's end reason, if any.
  std::optional<std::string> command_ended(int exit_code, const std::function<void()>& on_tick);
  // After the sampler stopped: the node is free for the job's next node monitor.
  void release();
  // What a rank prints at the end instead of an energy summary (it measured no devices).
  std::string rank_summary(int64_t run_id, int exit_code) const;

 private:
  std::optional<JobContext> job_;
  std::string host_;
  std::string gpus_;  // "*" all, "-" none, else a CUDA_VISIBLE_DEVICES list
  std::unique_ptr<NodeLeader> leader_;
  std::unique_ptr<NodeMember> member_;
  std::vector<std::string> notices_;
  Sampler* writer_ = nullptr;
  int64_t run_id_ = 0;
  std::map<std::string, std::string> run_tags_;
  std::vector<int> ranks_seen_;
  bool leader_lost_reported_ = false;
};

}  // namespace wattcast
