#pragma once
// One node monitor per job and host. Every `wattcast measure` rank of a job on a host meets the
// others in a private directory keyed by job and host (under $XDG_RUNTIME_DIR, else /tmp; mode
// 0700): whoever takes the flock on its `node.lock` is the node monitor and samples the node's
// devices; the others attach to it through `node.sock` (a Unix seqpacket socket: whole messages,
// and a connection the kernel closes when a rank dies, so a rank that never detaches is noticed).
//
// Protocol, one text message each way: "attach RANK LOCAL_RANK PID" (ranks "-" when unknown),
// answered "ok NODE_RUN_ID LEADER_PID GPUS" (the GPUs the node monitor measures, "*" for all it
// sees, as CUDA_VISIBLE_DEVICES); later "detach EXIT_CODE". A rank counts as attached only
// once answered; a node monitor that is shutting down closes its socket first, so a rank arriving
// then is refused, retries, and becomes (or attaches to) the next node monitor once the lock is
// free. The lock file is unlinked while still held, and a winner checks that the file it locked
// is still the one at the path, so two processes can never both win.

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/result.h"

namespace wattcast {

struct RankHello {
  std::optional<int> rank, local_rank;
  pid_t pid = 0;
};

enum class RankEventKind { kAttached, kDetached, kLost };

struct RankEvent {
  RankEventKind kind = RankEventKind::kAttached;
  RankHello rank;
  double t_s = 0;                 // Unix time
  std::optional<int> exit_code;  // kDetached: the rank's command's
};

struct RendezvousOptions {
  std::string runtime_dir;  // empty: $XDG_RUNTIME_DIR when it is this user's directory, else /tmp
  std::chrono::milliseconds timeout{30000};
};

// The node monitor's side: holds the lock; answers ranks on a thread of its own.
class NodeLeader {
 public:
  NodeLeader(int lock_fd, int listen_fd, std::string directory);
  ~NodeLeader();  // stop(), then release()
  NodeLeader(const NodeLeader&) = delete;
  NodeLeader& operator=(const NodeLeader&) = delete;

  // Starts answering ranks (they wait until then): each gets the node run's id and the GPUs it
  // measures (`gpus`: "*" for all, else a CUDA_VISIBLE_DEVICES list, "-" for none). Call it after
  // the monitor's signals are blocked, so the thread inherits the mask.
  Status start(int64_t node_run_id, const std::string& gpus);
  std::vector<RankEvent> take_events();
  // Ranks attached and not yet ended.
  std::vector<RankHello> attached() const;
  // Once every attached rank has ended, stop taking new ones; done_descriptor() turns readable.
  void finish_when_alone();
  int done_descriptor() const { return done_fd_; }
  bool done() const;
  // Stops answering at once (the monitor was interrupted); ranks still attached are lost to it.
  void stop();
  // Hands the node on: after this a rank arriving becomes the next node monitor. Stop sampling
  // the devices before calling it, so two monitors never sample at once.
  void release();

  const std::string& directory() const { return directory_; }

 private:
  void serve();
  void wake();

  int lock_fd_;
  int listen_fd_;
  int wake_fd_ = -1;
  int done_fd_ = -1;
  std::string directory_;
  int64_t node_run_id_ = 0;
  std::string gpus_;
  std::thread thread_;

  mutable std::mutex mutex_;  // guards what follows
  std::vector<RankEvent> events_;
  std::vector<RankHello> attached_;
  bool finishing_ = false;
  bool stopping_ = false;
  bool done_ = false;
};

// A rank's side: attached to the node monitor.
class NodeMember {
 public:
  NodeMember(int fd, int64_t node_run_id, pid_t leader_pid, std::string node_gpus)
      : fd_(fd), node_run_id_(node_run_id), leader_pid_(leader_pid), node_gpus_(std::move(node_gpus)) {}
  ~NodeMember();
  NodeMember(const NodeMember&) = delete;
  NodeMember& operator=(const NodeMember&) = delete;

  int64_t node_run_id() const { return node_run_id_; }
  pid_t leader_pid() const { return leader_pid_; }
  // The GPUs the node monitor measures, as it sent them ("*": all it sees).
  const std::string& node_gpus() const { return node_gpus_; }
  // False once the node monitor's end has closed (it died: the node is no longer measured).
  bool leader_alive() const;
  // Tells the node monitor this rank's command ended; false when it was no longer there.
  bool detach(int exit_code);

 private:
  int fd_;
  int64_t node_run_id_;
  pid_t leader_pid_;
  std::string node_gpus_;
};

struct NodeRole {
  std::unique_ptr<NodeLeader> leader;  // exactly one of the two is set
  std::unique_ptr<NodeMember> member;
};

// Where the ranks of `job_id` on `host` meet; created (0700) when missing.
Result<std::string> rendezvous_directory(const std::string& job_id, const std::string& host, const std::string& runtime_dir);

// Becomes the node monitor or attaches to it, retrying until options.timeout (a node monitor
// that is ending, a stale socket left by a killed one). Error: the directory is unusable, or no
// role could be had in time.
Result<NodeRole> join_node(const std::string& job_id, const std::string& host, const RankHello& hello, const RendezvousOptions& options);

}  // namespace wattcast
