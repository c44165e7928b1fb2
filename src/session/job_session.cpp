#include "session/job_session.h"

#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <set>

#include <fmt/format.h>


namespace wattcast {

namespace {

std::string rank_list(std::vector<int> ranks) {
  std::sort(ranks.begin(), ranks.end());
  ranks.erase(std::unique(ranks.begin(), ranks.end()), ranks.end());
  std::string out;
  for (int r : ranks) {
    if (!out.empty()) out += ",";
    out += std::to_string(r);
  }
  return out;
}

std::string describe(const RankHello& rank) { return rank.rank ? fmt::format("rank {}", *rank.rank) : fmt::format("pid {}", rank.pid); }

std::string describe(const std::vector<RankHello>& ranks) {
  std::string out;
  for (const auto& r : ranks) {
    if (!out.empty()) out += ", ";
    out += describe(r);
  }
  return out;
}

// The GPUs this process would measure, in the form the node monitor sends to its ranks.
std::string gpu_selection(const std::optional<std::string>& devices) {
  std::optional<std::string> spec = devices;
  if (const char* visible = std::getenv("CUDA_VISIBLE_DEVICES"); !spec && visible) spec = visible;
  if (!spec) return "*";
  std::string out;
  for (char c : *spec) {
    if (!std::isspace(static_cast<unsigned char>(c))) out += c;
  }
  return out.empty() ? "-" : out;
}

std::set<std::string> items(const std::string& list) {
  std::set<std::string> out;
  size_t start = 0;
  while (start <= list.size()) {
    const size_t comma = std::min(list.find(',', start), list.size());
    if (comma > start) out.insert(list.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

// A rank's GPUs outside the node monitor's would go unmeasured (srun --gpus-per-task gives each
// rank its own CUDA_VISIBLE_DEVICES).
bool measured_by_node(const std::string& rank_gpus, const std::string& node_gpus) {
  if (node_gpus == "*" || rank_gpus == "-") return true;
  if (rank_gpus == "*") return false;
  const auto node = items(node_gpus);
  for (const auto& gpu : items(rank_gpus)) {
    if (!node.count(gpu)) return false;
  }
  return true;
}

}  // namespace

Result<JobSession> JobSession::join(const std::optional<std::string>& job_flag, const std::optional<std::string>& devices) {
  JobSession session;
  session.host_ = node_host_name();
  session.gpus_ = gpu_selection(devices);
  auto job = detect_job({process_environment(), job_flag, session.host_, getppid()});
  if (!job) return job.error();
  session.job_ = *job;
  if (!session.job_) return std::move(session);
  const RankHello hello{session.job_->rank, session.job_->local_rank, getpid()};
  auto role = join_node(session.job_->id, session.host_, hello, {});
  if (!role) {
    // Measured twice beats not measured: the job summary flags the overlap.
    session.notices_.push_back(fmt::format("job {}: {}; this process samples the node's devices itself, so the node may be counted twice",
                                           session.job_->id, role.error().message));
    return std::move(session);
  }
  session.leader_ = std::move(role->leader);
  session.member_ = std::move(role->member);
  if (session.member_) {
    session.notices_.push_back(fmt::format("job {}: {} attached to the node monitor of {} (pid {}, run {})", session.job_->id, describe(hello),
                                           session.host_, session.member_->leader_pid(), session.member_->node_run_id()));
    if (!measured_by_node(session.gpus_, session.member_->node_gpus())) {
      session.notices_.push_back(fmt::format("job {}: this rank's GPUs ({}) are not all among those its node monitor measures ({}), so some "
                                             "go unmeasured; give every rank --devices listing all the GPUs the job uses on this node",
                                             session.job_->id, session.gpus_ == "*" ? "all" : session.gpus_, session.member_->node_gpus()));
    }
  }
  return std::move(session);
}

std::map<std::string, std::string> JobSession::tags() const {
  std::map<std::string, std::string> tags;
  if (!job_) return tags;
  tags["job"] = job_->id;
  tags["launcher"] = job_->launcher;
  tags["role"] = member_ ? "rank" : "node";
  auto put = [&](const char* key, const std::optional<int>& value) {
    if (value) tags[key] = std::to_string(*value);
  };
  put("rank", job_->rank);
  put("local_rank", job_->local_rank);
  put("world_size", job_->world_size);
  put("local_world_size", job_->local_world_size);
  if (member_) {
    tags["node_run"] = std::to_string(member_->node_run_id());
  } else if (job_->rank) {
    tags["ranks"] = std::to_string(*job_->rank);
  }
  return tags;
}

std::vector<std::pair<std::string, std::string>> JobSession::child_environment() const {
  if (!job_ || !job_->rank) return {};
  return {{"WATTCAST_SOCKET_RANK", std::to_string(*job_->rank)}};
}

void JobSession::started(Sampler& writer, int64_t run_id, const std::map<std::string, std::string>& run_tags) {
  writer_ = &writer;
  run_id_ = run_id;
  run_tags_ = run_tags;
  if (job_ && job_->rank) ranks_seen_.push_back(*job_->rank);
  if (!leader_) return;
  if (auto started = leader_->start(run_id, gpus_); !started) {
    notices_.push_back("job " + job_->id + ": the node monitor cannot answer ranks (" + started.error().message + "); they will measure on their own");
  }
}

std::vector<std::string> JobSession::tick() {
  std::vector<std::string> messages = take_notices();
  if (member_ && !leader_lost_reported_ && !member_->leader_alive()) {
    leader_lost_reported_ = true;
    messages.push_back(fmt::format("job {}: the node monitor of {} (pid {}) has ended; this node's devices are no longer measured", job_->id, host_,
                                   member_->leader_pid()));
  }
  if (!leader_ || !writer_) return messages;
  std::vector<MarkerRecord> markers;
  bool ranks_changed = false;
  for (const RankEvent& event : leader_->take_events()) {
    MarkerRecord m;
    m.run_id = run_id_;
    m.t_s = event.t_s;
    m.name = describe(event.rank);
    m.source = "cluster";
    m.metrics["pid"] = event.rank.pid;
    if (event.rank.rank) m.metrics["rank"] = *event.rank.rank;
    if (event.rank.local_rank) m.metrics["local_rank"] = *event.rank.local_rank;
    switch (event.kind) {
      case RankEventKind::kAttached:
        m.type = "rank_attach";
        if (event.rank.rank) ranks_seen_.push_back(*event.rank.rank), ranks_changed = true;
        break;
      case RankEventKind::kDetached:
        m.type = "rank_detach";
        if (event.exit_code) m.metrics["exit_code"] = *event.exit_code;
        break;
      case RankEventKind::kLost:
        m.type = "rank_lost";
        messages.push_back(fmt::format("job {}: {} on {} ended without detaching", job_->id, describe(event.rank), host_));
        break;
    }
    markers.push_back(std::move(m));
  }
  // Refused writes are the writer's to report, with the samples'.
  writer_->add_markers(std::move(markers));
  if (ranks_changed) {
    run_tags_["ranks"] = rank_list(ranks_seen_);
    // The rank_attach markers hold the same facts for a store that cannot update tags.
    writer_->replace_tags(run_id_, run_tags_);
  }
  return messages;
}

std::optional<std::string> JobSession::command_ended(int exit_code, const std::function<void()>& on_tick) {
  if (member_) {
    if (!member_->detach(exit_code)) return "the node monitor had ended before this rank";
    return std::nullopt;
  }
  if (!leader_) return std::nullopt;
  leader_->finish_when_alone();
  if (auto waiting = leader_->attached(); !waiting.empty()) {
    std::fprintf(stderr, "wattcast: job %s: command ended; still sampling %s until %s %s\n", job_->id.c_str(), host_.c_str(),
                 describe(waiting).c_str(), waiting.size() == 1 ? "ends" : "end");
  }
  sigset_t signals;
  sigemptyset(&signals);
  for (int s : {SIGINT, SIGTERM, SIGHUP}) sigaddset(&signals, s);
  const int signal_fd = signalfd(-1, &signals, SFD_CLOEXEC | SFD_NONBLOCK);
  std::optional<std::string> note;
  while (!leader_->done()) {
    pollfd fds[2] = {{leader_->done_descriptor(), POLLIN, 0}, {signal_fd, POLLIN, 0}};
    ::poll(fds, signal_fd >= 0 ? 2 : 1, 1000);
    on_tick();
    signalfd_siginfo info{};
    if (signal_fd >= 0 && ::read(signal_fd, &info, sizeof info) == static_cast<ssize_t>(sizeof info)) {
      note = fmt::format("stopped waiting for {} (signal {})", describe(leader_->attached()), info.ssi_signo);
      leader_->stop();
      break;
    }
  }
  if (signal_fd >= 0) ::close(signal_fd);
  on_tick();
  return note;
}

void JobSession::release() {
  if (leader_) leader_->release();
}

std::string JobSession::rank_summary(int64_t run_id, int exit_code) const {
  return fmt::format("wattcast: {} of job {} on {}: exit code {} (run {}); the node's devices are measured by its node monitor (run {}); "
                     "see 'wattcast show --job {}'\n",
                     job_->rank ? fmt::format("rank {}", *job_->rank) : "a rank", job_->id, host_, exit_code, run_id, member_->node_run_id(), job_->id);
}

}  // namespace wattcast
