#pragma once
// Sweeps as Slurm job arrays. The shared file system is the only channel: the submission writes
// the ids of the points still to run (DIR/slurm/submit-N.points) and an sbatch script
// (DIR/slurm/submit-N.sbatch) whose array task T runs points T*K .. T*K+K-1 of that list with
// `trine sweep SPEC -o DIR --worker LIST --task T --chunk K`: the same per-point process as the
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

// The points array task `task` runs: entries task*chunk .. task*chunk+chunk-1 of the list.
std::vector<Point> task_points(const Spec& spec, const std::vector<Point>& points,
                               const std::string& list, int64_t task, int64_t chunk);

}  // namespace trine::sweep
