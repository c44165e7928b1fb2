#include "cluster/job_summary.h"

#include <algorithm>
#include <charconv>
#include <climits>
#include <limits>
#include <set>
#include <tuple>

#include <fmt/format.h>

#include "monitor/energy_series.h"

namespace wattcast {

namespace {

std::optional<int> integer_tag(const RunRecord& run, const char* key) {
  const auto it = run.tags.find(key);
  if (it == run.tags.end()) return std::nullopt;
  int value = 0;
  const auto [end, error] = std::from_chars(it->second.data(), it->second.data() + it->second.size(), value);
  if (error != std::errc() || end != it->second.data() + it->second.size()) return std::nullopt;
  return value;
}

bool is_node_run(const RunRecord& run) {
  const auto it = run.tags.find("role");
  return it != run.tags.end() && it->second == "node";
}

// Every device's cumulative energy in one node run, to cut at the job's epoch boundaries.
std::vector<EnergySeries> device_series(const StoredRun& run) {
  std::vector<EnergySeries> out;
  for (const auto& device : run.devices) {
    std::vector<const SampleRecord*> own;
    for (const auto& s : run.samples) {
      if (s.device_id == device.id) own.push_back(&s);
    }
    bool from_counter = false;
    out.push_back(energy_series(own, &from_counter));
  }
  return out;
}

std::string join(const std::vector<int>& values) {
  std::string out;
  for (int v : values) {
    if (!out.empty()) out += ",";
    out += std::to_string(v);
  }
  return out;
}

}  // namespace

JobSummary summarize_job(const std::string& job, const std::vector<StoredRun>& runs) {
  JobSummary summary;
  summary.job = job;
  std::map<std::string, JobNode> nodes;
  std::vector<EnergySeries> node_series;
  struct RankEpoch {
    int rank_order;
    EpochEnergy epoch;
  };
  std::map<int, std::vector<RankEpoch>> epochs;
  std::set<int> ranks_seen;
  struct Span {
    double start_s, end_s;
    int64_t run_id;
  };
  std::map<std::string, std::vector<Span>> node_spans;

  bool first = true;
  for (const StoredRun& stored : runs) {
    const RunRecord& run = stored.run;
    const RunSummary run_summary = summarize_run(stored);
    const double end_s = run.start_s + run_summary.duration_s;
    summary.start_s = first ? run.start_s : std::min(summary.start_s, run.start_s);
    summary.end_s = first ? end_s : std::max(summary.end_s, end_s);
    first = false;

    const std::optional<int> rank = integer_tag(run, "rank");
    if (auto world = integer_tag(run, "world_size")) summary.world_size = std::max(summary.world_size.value_or(0), *world);
    if (rank) ranks_seen.insert(*rank);
    const bool node_monitor = is_node_run(run);
    summary.ranks.push_back({run.id, run.host, rank, node_monitor, run.exit_code, run.end_reason});
    if (!run.end_s) {
      summary.warnings.push_back(fmt::format("run {} ({} on {}) has not ended: still running, or its monitor was killed", run.id,
                                             rank ? fmt::format("rank {}", *rank) : "a rank", run.host));
    }

    JobNode& node = nodes[run.host];
    node.host = run.host;
    if (rank) node.ranks.push_back(*rank);
    if (node_monitor) {
      node.start_s = node.node_runs.empty() ? run.start_s : std::min(node.start_s, run.start_s);
      node.end_s = node.node_runs.empty() ? end_s : std::max(node.end_s, end_s);
      node.node_runs.push_back(run.id);
      node.energy_j += run_summary.energy_j;
      node.co2e_g += run_summary.co2e_g;
      summary.energy_j += run_summary.energy_j;
      summary.co2e_g += run_summary.co2e_g;
      for (const auto& d : run_summary.devices) {
        if (d.device.info.kind == "gpu") ++node.gpus;
        if (d.device.info.kind != "process") summary.devices.push_back({run.host, run.id, d});
      }
      for (auto& series : device_series(stored)) node_series.push_back(std::move(series));
      node_spans[run.host].push_back({run.start_s, end_s, run.id});
    }
    for (const auto& e : run_summary.epochs) epochs[e.epoch].push_back({rank.value_or(INT_MAX), e});
  }

  std::sort(summary.ranks.begin(), summary.ranks.end(), [](const JobRank& a, const JobRank& b) {
    return std::pair(a.rank.value_or(INT_MAX), a.run_id) < std::pair(b.rank.value_or(INT_MAX), b.run_id);
  });
  std::sort(summary.devices.begin(), summary.devices.end(), [](const JobDevice& a, const JobDevice& b) {
    return std::tie(a.host, a.run_id, a.device.device.id) < std::tie(b.host, b.run_id, b.device.device.id);
  });
  // Ranks drift apart: one may start epoch k+1 before another ends epoch k. Each epoch then
  // starts where the previous one ended, so no energy is counted in two epochs.
  double previous_end_s = -std::numeric_limits<double>::infinity();
  for (auto& [epoch, reports] : epochs) {
    JobEpoch e;
    e.epoch = epoch;
    e.start_s = reports.front().epoch.start_s;
    e.end_s = reports.front().epoch.end_s;
    int metrics_rank = INT_MAX;
    for (const RankEpoch& r : reports) {
      e.start_s = std::min(e.start_s, r.epoch.start_s);
      e.end_s = std::max(e.end_s, r.epoch.end_s);
      if (!r.epoch.metrics.empty() && r.rank_order < metrics_rank) {
        metrics_rank = r.rank_order;
        e.metrics = r.epoch.metrics;
      }
    }
    e.start_s = std::min(std::max(e.start_s, previous_end_s), e.end_s);
    previous_end_s = std::max(previous_end_s, e.end_s);
    e.ranks_reporting = static_cast<int>(reports.size());
    for (const auto& series : node_series) e.energy_j += series.at(e.end_s) - series.at(e.start_s);
    summary.epochs.push_back(std::move(e));
  }

  for (auto& [host, node] : nodes) {
    std::sort(node.ranks.begin(), node.ranks.end());
    node.ranks.erase(std::unique(node.ranks.begin(), node.ranks.end()), node.ranks.end());
    if (node.node_runs.empty()) {
      summary.warnings.push_back(fmt::format("{}: no node monitor run in this store (ranks {}): its devices are not counted", host, join(node.ranks)));
    }
    auto& spans = node_spans[host];
    std::sort(spans.begin(), spans.end(), [](const Span& a, const Span& b) { return a.start_s < b.start_s; });
    for (size_t i = 1; i < spans.size(); ++i) {
      if (spans[i].start_s < spans[i - 1].end_s) {
        summary.warnings.push_back(fmt::format("{}: node runs {} and {} overlap: the node's energy in the overlap is counted twice", host,
                                               spans[i - 1].run_id, spans[i].run_id));
      }
    }
    summary.nodes.push_back(std::move(node));
  }
  if (summary.world_size) {
    for (int r = 0; r < *summary.world_size; ++r) {
      if (!ranks_seen.count(r)) summary.missing_ranks.push_back(r);
    }
    if (!summary.missing_ranks.empty()) {
      summary.warnings.push_back(fmt::format("ranks {} of {} have no run in this store", join(summary.missing_ranks), *summary.world_size));
    }
  }
  return summary;
}

}  // namespace wattcast
