#include "cluster/job_context.h"

#include <gtest/gtest.h>

namespace wattcast {
namespace {

JobEnvironment env(std::map<std::string, std::string> variables, std::optional<std::string> job_flag = std::nullopt) {
  return {std::move(variables), std::move(job_flag), "node-a", 4242};
}

JobContext detected(const JobEnvironment& environment) {
  auto job = detect_job(environment);
  EXPECT_TRUE(job.ok()) << (job.ok() ? "" : job.error().message);
  EXPECT_TRUE(job.ok() && job->has_value());
  return job.ok() && job->has_value() ? **job : JobContext{};
}

TEST(JobContextTest, NoLauncherNoJob) {
  auto job = detect_job(env({{"HOME", "/root"}, {"PATH", "/bin"}}));
  ASSERT_TRUE(job.ok());
  EXPECT_FALSE(job->has_value());
}

TEST(JobContextTest, SlurmBatchScriptWithoutAStepIsNoJob) {
  auto job = detect_job(env({{"SLURM_JOB_ID", "77"}, {"SLURM_PROCID", "0"}}));
  ASSERT_TRUE(job.ok());
  EXPECT_FALSE(job->has_value());
}

TEST(JobContextTest, Torchrun) {
  const JobContext job = detected(env({{"TORCHELASTIC_RUN_ID", "abc123"}, {"RANK", "5"}, {"LOCAL_RANK", "1"}, {"WORLD_SIZE", "8"},
                                       {"LOCAL_WORLD_SIZE", "4"}, {"GROUP_RANK", "1"}}));
  EXPECT_EQ(job.id, "torchelastic:abc123");
  EXPECT_EQ(job.launcher, "torchrun");
  EXPECT_EQ(job.rank, 5);
  EXPECT_EQ(job.local_rank, 1);
  EXPECT_EQ(job.world_size, 8);
  EXPECT_EQ(job.local_world_size, 4);
}

TEST(JobContextTest, SingleNodeTorchrunWithoutRunIdUsesTheAgent) {
  const JobContext job = detected(env({{"TORCHELASTIC_RUN_ID", "none"}, {"RANK", "1"}, {"LOCAL_RANK", "1"}, {"WORLD_SIZE", "2"}, {"LOCAL_WORLD_SIZE", "2"}}));
  EXPECT_EQ(job.id, "torchelastic:none@node-a:4242");
}

TEST(JobContextTest, MultiNodeTorchrunWithoutRunIdNeedsJob) {
  auto job = detect_job(env({{"TORCHELASTIC_RUN_ID", "none"}, {"RANK", "1"}, {"WORLD_SIZE", "8"}, {"LOCAL_WORLD_SIZE", "4"}}));
  ASSERT_FALSE(job.ok());
  EXPECT_NE(job.error().message.find("--rdzv-id"), std::string::npos) << job.error().message;
  EXPECT_NE(job.error().message.find("--job"), std::string::npos);
  EXPECT_EQ(detected(env({{"TORCHELASTIC_RUN_ID", "none"}, {"RANK", "1"}, {"WORLD_SIZE", "8"}}, "exp-7")).id, "exp-7");
}

TEST(JobContextTest, TorchrunInsideSrunTakesTorchrunsRanks) {
  const JobContext job = detected(env({{"TORCHELASTIC_RUN_ID", "none"}, {"RANK", "6"}, {"LOCAL_RANK", "2"}, {"WORLD_SIZE", "8"}, {"LOCAL_WORLD_SIZE", "4"},
                                       {"SLURM_JOB_ID", "99"}, {"SLURM_STEP_ID", "0"}, {"SLURM_PROCID", "1"}}));
  EXPECT_EQ(job.id, "slurm:99.0");
  EXPECT_EQ(job.launcher, "torchrun");
  EXPECT_EQ(job.rank, 6);
}

TEST(JobContextTest, SlurmStep) {
  const JobContext job = detected(env({{"SLURM_JOB_ID", "1234"}, {"SLURM_STEP_ID", "0"}, {"SLURM_PROCID", "3"}, {"SLURM_LOCALID", "1"},
                                       {"SLURM_NTASKS", "16"}, {"SLURM_GTIDS", "2,3"}}));
  EXPECT_EQ(job.id, "slurm:1234.0");
  EXPECT_EQ(job.launcher, "slurm");
  EXPECT_EQ(job.rank, 3);
  EXPECT_EQ(job.local_rank, 1);
  EXPECT_EQ(job.world_size, 16);
  EXPECT_EQ(job.local_world_size, 2);
}

TEST(JobContextTest, SrunWithPmixIsStillSlurm) {
  const JobContext job = detected(env({{"SLURM_JOB_ID", "5"}, {"SLURM_STEP_ID", "2"}, {"SLURM_PROCID", "1"}, {"PMIX_RANK", "1"},
                                       {"PMIX_NAMESPACE", "slurm.pmix.5.2"}, {"SLURM_NTASKS", "2"}}));
  EXPECT_EQ(job.id, "slurm:5.2");
  EXPECT_EQ(job.rank, 1);
}

TEST(JobContextTest, OpenMpi) {
  const JobContext job = detected(env({{"OMPI_COMM_WORLD_RANK", "7"}, {"OMPI_COMM_WORLD_LOCAL_RANK", "3"}, {"OMPI_COMM_WORLD_SIZE", "16"},
                                       {"OMPI_COMM_WORLD_LOCAL_SIZE", "4"}, {"PMIX_NAMESPACE", "prterun-node-a-812@1"}, {"PMIX_RANK", "7"},
                                       // mpirun inside an allocation: the batch step's variables are there too
                                       {"SLURM_JOB_ID", "9"}, {"SLURM_PROCID", "0"}}));
  EXPECT_EQ(job.id, "mpi:prterun-node-a-812@1");
  EXPECT_EQ(job.launcher, "openmpi");
  EXPECT_EQ(job.rank, 7);
  EXPECT_EQ(job.local_rank, 3);
  EXPECT_EQ(job.world_size, 16);
  EXPECT_EQ(job.local_world_size, 4);
  EXPECT_EQ(detected(env({{"OMPI_COMM_WORLD_RANK", "0"}, {"OMPI_MCA_ess_base_jobid", "3217621249"}})).id, "mpi:openmpi-3217621249");
}

TEST(JobContextTest, MpichHydraGivesRanksButNoIdSoJobIsRequired) {
  const std::map<std::string, std::string> hydra = {{"PMI_RANK", "2"}, {"PMI_SIZE", "4"}, {"MPI_LOCALRANKID", "0"}, {"MPI_LOCALNRANKS", "2"}, {"PMI_FD", "6"}};
  auto job = detect_job(env(hydra));
  ASSERT_FALSE(job.ok());
  EXPECT_NE(job.error().message.find("MPICH"), std::string::npos) << job.error().message;
  EXPECT_NE(job.error().message.find("--job"), std::string::npos);
  const JobContext flagged = detected(env(hydra, "train-42"));
  EXPECT_EQ(flagged.id, "train-42");
  EXPECT_EQ(flagged.launcher, "pmi");
  EXPECT_EQ(flagged.rank, 2);
  EXPECT_EQ(flagged.local_rank, 0);
  EXPECT_EQ(flagged.world_size, 4);
  EXPECT_EQ(flagged.local_world_size, 2);
}

TEST(JobContextTest, HydraInsideSlurmAllocationIsNotTakenForTheSlurmStep) {
  // mpiexec in a batch script: the ranks inherit SLURM_PROCID=0 whatever their PMI rank.
  auto job = detect_job(env({{"PMI_RANK", "3"}, {"PMI_SIZE", "4"}, {"SLURM_JOB_ID", "9"}, {"SLURM_STEP_ID", "1"}, {"SLURM_PROCID", "0"}}));
  ASSERT_FALSE(job.ok());
  EXPECT_NE(job.error().message.find("PMI_RANK"), std::string::npos);
}

TEST(JobContextTest, JobFlagOverridesTheLaunchersIdAndWorksAlone) {
  EXPECT_EQ(detected(env({{"SLURM_JOB_ID", "1"}, {"SLURM_STEP_ID", "0"}, {"SLURM_PROCID", "0"}}, "mine")).id, "mine");
  const JobContext alone = detected(env({}, "shared"));
  EXPECT_EQ(alone.id, "shared");
  EXPECT_EQ(alone.launcher, "none");
  EXPECT_FALSE(alone.rank.has_value());
  EXPECT_FALSE(detect_job(env({}, "")).ok());
}

TEST(JobContextTest, RankVariablesMustBeNumbers) {
  auto job = detect_job(env({{"TORCHELASTIC_RUN_ID", "x"}, {"RANK", "two"}}));
  ASSERT_FALSE(job.ok());
  EXPECT_NE(job.error().message.find("RANK"), std::string::npos);
  EXPECT_NE(job.error().message.find("'two'"), std::string::npos);
}

TEST(JobContextTest, HostNameFromWattcastHost) {
  setenv("WATTCAST_HOST", "pretend-node", 1);
  EXPECT_EQ(node_host_name(), "pretend-node");
  unsetenv("WATTCAST_HOST");
  EXPECT_FALSE(node_host_name().empty());
}

}  // namespace
}  // namespace wattcast
