#pragma once
// Sweeps as Slurm job arrays. The shared file system is the only channel: the submission writes
// each point still to run as it will run (DIR/slurm/points/ID.yaml, its resolved design point,
// and ID.args, its `trine run` arguments), their ids (DIR/slurm/submit-N.points) and an sbatch
// script (DIR/slurm/submit-N.sbatch) whose array task T runs points T*K .. T*K+K-1 of that list
// with `trine sweep -o DIR --worker LIST --task T --chunk K`: the same per-point process as the
// local backend, each finished point written atomically as its own file. `trine sweep
// --collect DIR` merges them into the same results files as a local run; resubmitting runs
// only the points without a result (missing or failed).
#include <cstdint>
#include <string>
#include <vector>

#include "sim/sweep/spec.hpp"

namespace trine::sweep {

struct SlurmOptions {
  std::string trine;      // the executable the array tasks run (on the shared file system)
  std::string partition;  // "" = the cluster's default
  std::string time;       // per array task, sbatch --time syntax; "" = the partition's limit
  int64_t chunk = 8;      // points per array task
  bool dry_run = false;   // write the script, do not submit
};

struct Submission {
  std::string script;  // the sbatch script written
  std::string job_id;  // "" for a dry run or when nothing was left to run
  int64_t points = 0, tasks = 0;
};

Submission submit_slurm(const Spec& spec, const std::vector<Point>& points, const std::string& dir,
                        const SlurmOptions& options);

// Runs array task `task`: entries task*chunk .. task*chunk+chunk-1 of the list, one after
// another, skipping finished ones and recording failures. Returns 0, or 130 when cancelled.
int run_task(const std::string& dir, const std::string& list, int64_t task, int64_t chunk,
             const std::string& trine);

}  // namespace trine::sweep
