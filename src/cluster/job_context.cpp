#include "cluster/job_context.h"

#include <unistd.h>

#include <charconv>
#include <cstdlib>

extern char** environ;

namespace wattcast {

namespace {

using Variables = std::map<std::string, std::string>;

const std::string* find(const Variables& vars, const char* name) {
  const auto it = vars.find(name);
  return it == vars.end() || it->second.empty() ? nullptr : &it->second;
}

// The first of `names` that is set (launchers renamed some variables over the years).
const std::string* find_any(const Variables& vars, std::initializer_list<const char*> names) {
  for (const char* name : names) {
    if (const std::string* value = find(vars, name)) return value;
  }
  return nullptr;
}

// A rank variable that is set must be a non-negative integer: a typo there would merge or
// split ranks silently.
Result<std::optional<int>> integer(const Variables& vars, std::initializer_list<const char*> names) {
  for (const char* name : names) {
    const std::string* value = find(vars, name);
    if (!value) continue;
    int parsed = 0;
    const auto [end, error] = std::from_chars(value->data(), value->data() + value->size(), parsed);
    if (error != std::errc() || end != value->data() + value->size() || parsed < 0) {
      return Error{std::string("environment variable ") + name + ": expected a non-negative integer, got '" + *value + "'"};
    }
    return std::optional<int>(parsed);
  }
  return std::optional<int>();
}

struct Ranks {
  std::string launcher;
  std::optional<int> rank, local_rank, world_size, local_world_size;
};

Result<Ranks> read_ranks(const Variables& vars, const std::string& launcher, std::initializer_list<const char*> rank,
                         std::initializer_list<const char*> local_rank, std::initializer_list<const char*> world_size,
                         std::initializer_list<const char*> local_world_size) {
  Ranks ranks;
  ranks.launcher = launcher;
  for (auto [field, names] : {std::pair{&ranks.rank, rank}, {&ranks.local_rank, local_rank}, {&ranks.world_size, world_size},
                              {&ranks.local_world_size, local_world_size}}) {
    auto value = integer(vars, names);
    if (!value) return value.error();
    *field = *value;
  }
  return ranks;
}

// Slurm's step: srun sets the job and step ids in every task; the batch script itself has no
// step id, so a `wattcast measure` there is one process, not a rank.
std::optional<std::string> slurm_step_id(const Variables& vars) {
  const std::string* job = find_any(vars, {"SLURM_JOB_ID", "SLURM_JOBID"});
  const std::string* step = find_any(vars, {"SLURM_STEP_ID", "SLURM_STEPID"});
  if (!job || !step) return std::nullopt;
  return "slurm:" + *job + "." + *step;
}

int count_items(const std::string& comma_list) {
  int items = 1;
  for (char c : comma_list) items += c == ',';
  return items;
}

// True when srun started this process directly: its task id is the MPI rank (srun --mpi=pmix
// or pmi2 set both). A different rank means another launcher (mpirun in an allocation) is inside.
bool slurm_task_is_rank(const Variables& vars, const char* rank_variable) {
  const std::string* task = find(vars, "SLURM_PROCID");
  const std::string* rank = find(vars, rank_variable);
  return task && slurm_step_id(vars) && (!rank || *rank == *task);
}

}  // namespace

Result<std::optional<JobContext>> detect_job(const JobEnvironment& environment) {
  const Variables& vars = environment.variables;
  if (environment.job_flag && environment.job_flag->empty()) return Error{"--job: expected a job id, got an empty string"};

  // The innermost launcher first: torchrun inside srun gives the ranks, mpirun inside an
  // allocation too.
  std::optional<Ranks> ranks;
  std::optional<std::string> id;
  std::string missing_id;  // why there is no id, when a launcher gave ranks without one
  if (const std::string* run_id = find(vars, "TORCHELASTIC_RUN_ID")) {
    auto read = read_ranks(vars, "torchrun", {"RANK"}, {"LOCAL_RANK"}, {"WORLD_SIZE"}, {"LOCAL_WORLD_SIZE"});
    if (!read) return read.error();
    ranks = *read;
    if (*run_id != "none") {
      id = "torchelastic:" + *run_id;
    } else if (auto slurm = slurm_step_id(vars)) {
      id = *slurm;
    } else if (ranks->world_size && ranks->world_size == ranks->local_world_size && environment.parent_pid > 0) {
      // One node, default rendezvous id "none": the ranks share torchrun's agent as parent.
      id = "torchelastic:none@" + environment.host + ":" + std::to_string(environment.parent_pid);
    } else {
      missing_id = "torchrun's rendezvous id is 'none' (give torchrun --rdzv-id ID, or every rank the same --job ID)";
    }
  } else if (find(vars, "OMPI_COMM_WORLD_RANK")) {
    auto read = read_ranks(vars, "openmpi", {"OMPI_COMM_WORLD_RANK"}, {"OMPI_COMM_WORLD_LOCAL_RANK"}, {"OMPI_COMM_WORLD_SIZE"},
                           {"OMPI_COMM_WORLD_LOCAL_SIZE"});
    if (!read) return read.error();
    ranks = *read;
    // Open MPI 5 (PRRTE) names the job in PMIX_NAMESPACE ("prterun-HOST-PID@1"); 4.x also
    // sets its ORTE job id.
    if (const std::string* ns = find(vars, "PMIX_NAMESPACE")) {
      id = "mpi:" + *ns;
    } else if (const std::string* job = find_any(vars, {"OMPI_MCA_ess_base_jobid", "OMPI_MCA_orte_ess_jobid"})) {
      id = "mpi:openmpi-" + *job;
    } else {
      missing_id = "Open MPI set OMPI_COMM_WORLD_RANK but neither PMIX_NAMESPACE nor OMPI_MCA_ess_base_jobid";
    }
  } else if (slurm_task_is_rank(vars, find(vars, "PMIX_RANK") ? "PMIX_RANK" : "PMI_RANK")) {
    auto read = read_ranks(vars, "slurm", {"SLURM_PROCID"}, {"SLURM_LOCALID"}, {"SLURM_NTASKS", "SLURM_NPROCS"}, {});
    if (!read) return read.error();
    ranks = *read;
    // The global task ids on this node: their count is the node's share of the ranks.
    if (const std::string* gtids = find(vars, "SLURM_GTIDS")) ranks->local_world_size = count_items(*gtids);
    id = slurm_step_id(vars);
  } else if (find(vars, "PMIX_RANK")) {
    auto read = read_ranks(vars, "pmix", {"PMIX_RANK"}, {"MPI_LOCALRANKID"}, {"PMIX_SIZE"}, {"MPI_LOCALNRANKS"});
    if (!read) return read.error();
    ranks = *read;
    if (const std::string* ns = find(vars, "PMIX_NAMESPACE")) {
      id = "mpi:" + *ns;
    } else {
      missing_id = "PMIX_RANK is set without PMIX_NAMESPACE";
    }
  } else if (find(vars, "PMI_RANK")) {
    // MPICH's Hydra, Intel MPI: PMI-1 gives the job's name (its KVS) only through the PMI wire
    // protocol, never in the environment.
    auto read = read_ranks(vars, "pmi", {"PMI_RANK"}, {"MPI_LOCALRANKID"}, {"PMI_SIZE"}, {"MPI_LOCALNRANKS"});
    if (!read) return read.error();
    ranks = *read;
    missing_id = "MPICH/Hydra (PMI_RANK) puts no job id in the environment";
  }

  if (environment.job_flag) id = *environment.job_flag;
  if (!ranks && !id) return std::optional<JobContext>();
  if (!id) {
    return Error{"cannot tell which job this rank belongs to: " + missing_id +
                 "; pass the same --job ID to every rank (e.g. --job \"$SLURM_JOB_ID\" or a name unique to this run)"};
  }
  JobContext job;
  job.id = *id;
  if (ranks) {
    job.launcher = ranks->launcher;
    job.rank = ranks->rank;
    job.local_rank = ranks->local_rank;
    job.world_size = ranks->world_size;
    job.local_world_size = ranks->local_world_size;
  } else {
    job.launcher = "none";
  }
  return std::optional<JobContext>(job);
}

std::map<std::string, std::string> process_environment() {
  std::map<std::string, std::string> vars;
  for (char** entry = environ; entry && *entry; ++entry) {
    const std::string text = *entry;
    const auto eq = text.find('=');
    if (eq != std::string::npos) vars.emplace(text.substr(0, eq), text.substr(eq + 1));
  }
  return vars;
}

std::string node_host_name() {
  if (const char* host = std::getenv("WATTCAST_HOST"); host && *host) return host;
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  return host;
}

}  // namespace wattcast
