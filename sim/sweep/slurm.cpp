#include "sim/sweep/slurm.hpp"

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "sim/sweep/runner.hpp"
#include "sim/util/file.hpp"
#include "sim/util/process.hpp"

namespace trine::sweep {

namespace fs = std::filesystem;

namespace {

std::string quote(const std::string& s) {  // for the shell
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

Submission submit_slurm(const Spec& spec, const std::vector<Point>& points, const std::string& dir,
                        const SlurmOptions& o) {
  const std::string abs_dir = fs::absolute(dir).lexically_normal().string();
  const std::string slurm = abs_dir + "/slurm";
  fs::create_directories(slurm + "/logs");
  fs::create_directories(abs_dir + "/points");
  remember_spec(spec, abs_dir);
  const std::vector<std::string> ids = point_ids(spec, points);
  const Status st = status(ids, abs_dir);
  Submission sub;
  std::vector<size_t> todo = st.missing;
  todo.insert(todo.end(), st.failed.begin(), st.failed.end());
  std::sort(todo.begin(), todo.end());
  sub.points = static_cast<int64_t>(todo.size());
  if (todo.empty()) {
    write_results(spec, points, ids, abs_dir);
    return sub;
  }
  int n = 1;
  while (fs::exists(slurm + "/submit-" + std::to_string(n) + ".sbatch")) ++n;
  const std::string stem = slurm + "/submit-" + std::to_string(n);
  std::string list;
  for (size_t i : todo) list += ids[i] + "\n";
  write_file_atomic(stem + ".points", list);
  sub.tasks = (sub.points + o.chunk - 1) / o.chunk;
  std::ostringstream sh;
  sh << "#!/bin/bash\n"
     << "# trine sweep " << spec.name << ": " << sub.points << " points in " << sub.tasks
     << " array tasks of " << o.chunk << " (written by trine; resubmit with the same command)\n"
     << "#SBATCH --job-name=" << quote("trine-" + spec.name) << "\n"
     << "#SBATCH --array=0-" << sub.tasks - 1 << "\n"
     << "#SBATCH --ntasks=1\n"
     << "#SBATCH --cpus-per-task=1\n"
     << "#SBATCH --output=" << slurm << "/logs/%A_%a.out\n";
  if (!o.partition.empty()) sh << "#SBATCH --partition=" << o.partition << "\n";
  if (!o.time.empty()) sh << "#SBATCH --time=" << o.time << "\n";
  sh << "exec " << quote(o.trine) << " sweep " << quote(fs::absolute(spec.file).string()) << " -o "
     << quote(abs_dir) << " --worker " << quote(stem + ".points")
     << " --task \"$SLURM_ARRAY_TASK_ID\" --chunk " << o.chunk << "\n";
  sub.script = stem + ".sbatch";
  write_file_atomic(sub.script, sh.str());
  fs::permissions(sub.script, fs::perms::owner_exec, fs::perm_options::add);
  if (o.dry_run) return sub;
  const std::string log = stem + ".submit.log";
  const process::Exit e =
      process::wait(process::spawn({"/usr/bin/env", "sbatch", "--parsable", sub.script}, log));
  const std::string answer = process::last_line(slurp(log));
  if (!e.ok())
    throw RunError("trine sweep: sbatch " + sub.script + " failed: " +
                   (answer.empty() ? "exit status " + std::to_string(e.status) : answer));
  sub.job_id = answer.substr(0, answer.find(';'));  // "JOBID[;CLUSTER]"
  write_file_atomic(stem + ".job", sub.job_id + "\n");
  return sub;
}

std::vector<Point> task_points(const Spec& spec, const std::vector<Point>& points,
                               const std::string& list, int64_t task, int64_t chunk) {
  std::ifstream in(list);
  if (!in) throw InputError(list, "cannot read the list of points");
  std::vector<std::string> wanted;
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) wanted.push_back(line);
  std::map<std::string, size_t> by_id;
  const std::vector<std::string> ids = point_ids(spec, points);
  for (size_t i = 0; i < ids.size(); ++i) by_id[ids[i]] = i;
  std::vector<Point> out;
  for (int64_t k = task * chunk; k < (task + 1) * chunk && k < static_cast<int64_t>(wanted.size());
       ++k) {
    const auto it = by_id.find(wanted[static_cast<size_t>(k)]);
    if (it == by_id.end())
      throw RunError(list + ": point " + wanted[static_cast<size_t>(k)] +
                     " is not in the spec any more (the spec changed since the submission)");
    out.push_back(points[it->second]);
  }
  return out;
}

}  // namespace trine::sweep
