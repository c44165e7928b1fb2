#pragma once
// Which multi-rank job a `wattcast measure` process belongs to, read from the variables its
// launcher set (torchrun, Slurm's srun, Open MPI, PMIx, MPICH/Hydra's PMI) or from `--job ID`.
// Every rank of a job must find the same id, and two jobs must never share one: the id keys the
// per-node rendezvous (one node monitor per job and host) and tags every stored run.

#include <sys/types.h>

#include <map>
#include <optional>
#include <string>

#include "core/result.h"

namespace wattcast {

struct JobContext {
  std::string id;        // namespaced by launcher: "slurm:1234.0", "torchelastic:<run id>", "mpi:<namespace>"
  std::string launcher;  // where the ranks came from: torchrun, openmpi, slurm, pmix, pmi, or "none" (--job alone)
  std::optional<int> rank, local_rank, world_size, local_world_size;
};

struct JobEnvironment {
  std::map<std::string, std::string> variables;
  std::optional<std::string> job_flag;  // --job ID: replaces whatever id the launcher gives
  std::string host;                     // this node's name (node_host_name())
  pid_t parent_pid = 0;                 // torchrun's agent, for a single-node torchrun without a run id
};

// nullopt: not a multi-rank job (and no --job). Error: ranks without an id they all share, or
// rank variables that are not numbers; the message says which variable and how to fix it.
Result<std::optional<JobContext>> detect_job(const JobEnvironment& environment);

// The process environment as a map, for detect_job.
std::map<std::string, std::string> process_environment();

// $WATTCAST_HOST when set (containers whose host names are not unique; tests pretending to be
// several nodes), else gethostname().
std::string node_host_name();

}  // namespace wattcast
