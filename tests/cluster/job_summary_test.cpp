#include "cluster/job_summary.h"

#include <gtest/gtest.h>

namespace wattcast {
namespace {

StoredRun run(int64_t id, const std::string& host, const std::string& role, int rank, double start_s, std::optional<double> end_s) {
  StoredRun r;
  r.run.id = id;
  r.run.host = host;
  r.run.start_s = start_s;
  r.run.end_s = end_s;
  if (end_s) r.run.exit_code = 0, r.run.end_reason = "exited";
  r.run.tags = {{"job", "slurm:7.0"}, {"role", role}, {"rank", std::to_string(rank)}, {"world_size", "4"}};
  r.run.configuration_json = R"({"g_co2e_per_kwh": 360, "pue": 1})";
  return r;
}

// One GPU drawing `power_w` from start to end, a sample a second.
void add_gpu(StoredRun& r, int64_t device_id, double power_w, double start_s, double end_s) {
  DeviceRecord d;
  d.id = device_id;
  d.run_id = r.run.id;
  d.sensor = "replay";
  d.info.kind = "gpu";
  d.info.name = "gpu0";
  d.info.uuid = "GPU-" + std::to_string(device_id);
  r.devices.push_back(d);
  int64_t tick = 0;
  for (double t = start_s; t <= end_s + 1e-9; t += 1) {
    SampleRecord s;
    s.device_id = device_id;
    s.tick = tick++;
    s.t_s = t;
    s.reading.power_w = power_w;
    r.samples.push_back(s);
  }
}

void add_epoch(StoredRun& r, int epoch, double begin_s, double end_s, double metric) {
  r.markers.push_back({r.run.id, begin_s, "epoch_begin", epoch, "", {}, "python"});
  r.markers.push_back({r.run.id, end_s, "epoch_end", epoch, "", {{"val_f1", metric}}, "python"});
}

TEST(JobSummaryTest, MergesNodesAndAlignsEpochsAcrossRanks) {
  StoredRun node_a = run(1, "node-a", "node", 0, 100, 110);
  add_gpu(node_a, 11, 100, 100, 110);
  add_epoch(node_a, 1, 101, 104, 0.5);
  add_epoch(node_a, 2, 105, 108, 0.6);
  StoredRun rank_a = run(2, "node-a", "rank", 1, 100.5, std::nullopt);
  add_epoch(rank_a, 1, 102, 105, 0.1);
  add_epoch(rank_a, 2, 105.5, 109, 0.2);
  StoredRun node_b = run(3, "node-b", "node", 2, 100, 110);
  add_gpu(node_b, 31, 200, 100, 110);
  add_epoch(node_b, 1, 101.5, 104.5, 0.9);

  const JobSummary s = summarize_job("slurm:7.0", {node_b, rank_a, node_a});
  EXPECT_EQ(s.job, "slurm:7.0");
  EXPECT_NEAR(s.energy_j, 1000 + 2000, 1e-6);
  EXPECT_NEAR(s.co2e_g, 3000 / 3.6e6 * 360, 1e-9);
  ASSERT_EQ(s.nodes.size(), 2u);
  EXPECT_EQ(s.nodes[0].host, "node-a");
  EXPECT_EQ(s.nodes[0].ranks, (std::vector<int>{0, 1}));
  EXPECT_EQ(s.nodes[0].node_runs, (std::vector<int64_t>{1}));
  EXPECT_NEAR(s.nodes[0].energy_j, 1000, 1e-6);
  EXPECT_EQ(s.nodes[0].gpus, 1u);
  EXPECT_EQ(s.nodes[1].ranks, (std::vector<int>{2}));
  ASSERT_EQ(s.devices.size(), 2u);
  EXPECT_EQ(s.devices[1].host, "node-b");
  EXPECT_NEAR(s.devices[1].device.energy_j, 2000, 1e-6);

  // Epoch 1: the earliest begin (101) to the latest end (105); both nodes draw 300 W meanwhile.
  ASSERT_EQ(s.epochs.size(), 2u);
  EXPECT_DOUBLE_EQ(s.epochs[0].start_s, 101);
  EXPECT_DOUBLE_EQ(s.epochs[0].end_s, 105);
  EXPECT_NEAR(s.epochs[0].energy_j, 300 * 4, 1e-6);
  EXPECT_EQ(s.epochs[0].ranks_reporting, 3);
  EXPECT_DOUBLE_EQ(s.epochs[0].metrics.at("val_f1"), 0.5);  // rank 0's
  EXPECT_DOUBLE_EQ(s.epochs[1].start_s, 105);
  EXPECT_DOUBLE_EQ(s.epochs[1].end_s, 109);
  EXPECT_EQ(s.epochs[1].ranks_reporting, 2);

  EXPECT_EQ(s.world_size, 4);
  EXPECT_EQ(s.missing_ranks, (std::vector<int>{3}));
  ASSERT_EQ(s.ranks.size(), 3u);
  EXPECT_EQ(s.ranks[1].rank, 1);
  EXPECT_EQ(s.ranks[1].run_id, 2);
  EXPECT_FALSE(s.ranks[1].exit_code.has_value());
  std::string warnings;
  for (const auto& w : s.warnings) warnings += w + "\n";
  EXPECT_NE(warnings.find("run 2 (rank 1 on node-a) has not ended"), std::string::npos) << warnings;
  EXPECT_NE(warnings.find("ranks 3 of 4"), std::string::npos) << warnings;
}

// Rank 1 starts epoch 2 (at 104) before rank 0 ends epoch 1 (at 106): epoch 2 starts at 106,
// so the epochs' energies add up to no more than the job's.
TEST(JobSummaryTest, EpochsOfDriftingRanksDoNotOverlap) {
  StoredRun node = run(1, "node-a", "node", 0, 100, 112);
  add_gpu(node, 11, 100, 100, 112);
  add_epoch(node, 1, 101, 106, 0.5);
  add_epoch(node, 2, 106.5, 111, 0.6);
  StoredRun rank = run(2, "node-a", "rank", 1, 100, 112);
  add_epoch(rank, 1, 100.5, 103, 0.1);
  add_epoch(rank, 2, 104, 108, 0.2);

  const JobSummary s = summarize_job("slurm:7.0", {node, rank});
  ASSERT_EQ(s.epochs.size(), 2u);
  EXPECT_DOUBLE_EQ(s.epochs[0].start_s, 100.5);
  EXPECT_DOUBLE_EQ(s.epochs[0].end_s, 106);
  EXPECT_DOUBLE_EQ(s.epochs[1].start_s, 106);
  EXPECT_DOUBLE_EQ(s.epochs[1].end_s, 111);
  EXPECT_NEAR(s.epochs[0].energy_j, 100 * 5.5, 1e-6);
  EXPECT_NEAR(s.epochs[1].energy_j, 100 * 5, 1e-6);
  EXPECT_LE(s.epochs[0].energy_j + s.epochs[1].energy_j, s.energy_j);
}

TEST(JobSummaryTest, FlagsHostsWithoutANodeMonitorAndOverlappingNodeRuns) {
  StoredRun first = run(1, "node-a", "node", 0, 100, 110);
  add_gpu(first, 11, 100, 100, 110);
  StoredRun second = run(2, "node-a", "node", 1, 105, 112);
  add_gpu(second, 21, 100, 105, 112);
  StoredRun orphan = run(3, "node-c", "rank", 2, 100, 110);
  const JobSummary s = summarize_job("slurm:7.0", {first, second, orphan});
  EXPECT_NEAR(s.energy_j, 1000 + 700, 1e-6);
  std::string warnings;
  for (const auto& w : s.warnings) warnings += w + "\n";
  EXPECT_NE(warnings.find("node-a: node runs 1 and 2 overlap"), std::string::npos) << warnings;
  EXPECT_NE(warnings.find("node-c: no node monitor run"), std::string::npos) << warnings;
  EXPECT_EQ(s.nodes[1].gpus, 0u);
}

TEST(JobSummaryTest, SequentialNodeRunsOnOneHostAddUp) {
  StoredRun first = run(1, "node-a", "node", 0, 100, 105);
  add_gpu(first, 11, 100, 100, 105);
  StoredRun second = run(2, "node-a", "node", 1, 106, 110);
  add_gpu(second, 21, 100, 106, 110);
  const JobSummary s = summarize_job("slurm:7.0", {first, second});
  EXPECT_NEAR(s.energy_j, 500 + 400, 1e-6);
  ASSERT_EQ(s.nodes.size(), 1u);
  EXPECT_EQ(s.nodes[0].node_runs, (std::vector<int64_t>{1, 2}));
  for (const auto& w : s.warnings) EXPECT_EQ(w.find("overlap"), std::string::npos) << w;
}

}  // namespace
}  // namespace wattcast
