#include "sim/sweep/slurm.hpp"

#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "sim/sweep/runner.hpp"
#include "sim/util/file.hpp"
#include "sim/util/process.hpp"

namespace trine::sweep {

namespace fs = std::filesystem;

namespace {

volatile std::sig_atomic_t g_cancel = 0;
extern "C" void on_cancel(int) {
  g_cancel = 1;
}

bool names_a_file(const std::string& v) {
  return v.find('/') != std::string::npos ||
         (v.size() > 5 && v.compare(v.size() - 5, 5, ".yaml") == 0);
}

std::string absolute(const std::string& path) {
  return fs::absolute(path).lexically_normal().string();
}

std::string quote(const std::string& s) {  // for the shell
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
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
  // Each point as it will run: its resolved design point (or, when its design point refers to
  // files by relative path or does not resolve, the base and overrides) and the run options,
  // so that editing the spec or its design points later does not change what the tasks run.
  fs::create_directories(slurm + "/points");
  for (size_t i : todo) {
    const Point& p = points[i];
    const std::string stem = slurm + "/points/" + ids[i];
    std::vector<std::string> args;
    try {
      const config::DesignPoint dp = resolve_point(spec, p).point;
      if (!names_a_file(dp.tech) && !names_a_file(dp.dram.preset)) {
        write_file_atomic(stem + ".yaml", config::resolved_yaml(dp));
        args = {"--arch", stem + ".yaml"};
        if (!p.model.empty()) args.insert(args.end(), {"--model", absolute(p.model)});
        args.insert(args.end(), {"--batch", std::to_string(spec.batch), "--images",
                                 std::to_string(spec.images), "--dataset", spec.dataset});
      }
    } catch (const InputError&) {
      // Contradictory values: the point runs as written and records its error.
    }
    if (args.empty()) {
      args = point_args(spec, p);
      for (size_t k = 0; k + 1 < args.size(); ++k)
        if (args[k] == "--arch" || args[k] == "--model") args[k + 1] = absolute(args[k + 1]);
    }
    std::string text;
    for (const std::string& a : args) text += a + "\n";
    write_file_atomic(stem + ".args", text);
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
  const std::string answer = process::last_line(read_file_text(log));
  if (!e.ok())
    throw RunError("trine sweep: sbatch " + sub.script + " failed: " +
                   (answer.empty() ? "exit status " + std::to_string(e.status) : answer));
  sub.job_id = answer.substr(0, answer.find(';'));  // "JOBID[;CLUSTER]"
  write_file_atomic(stem + ".job", sub.job_id + "\n");
  return sub;
}

int run_task(const std::string& dir, const std::string& list, int64_t task, int64_t chunk,
             const std::string& trine) {
  std::ifstream in(list);
  if (!in) throw InputError(list, "cannot read the list of points");
  std::vector<std::string> ids;
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) ids.push_back(line);
  struct sigaction sa {};
  sa.sa_handler = on_cancel;
  sigemptyset(&sa.sa_mask);
  ::sigaction(SIGTERM, &sa, nullptr);
  ::sigaction(SIGINT, &sa, nullptr);
  fs::create_directories(dir + "/points");
  for (int64_t k = task * chunk; k < (task + 1) * chunk && k < static_cast<int64_t>(ids.size());
       ++k) {
    if (g_cancel) return 130;
    const std::string& id = ids[static_cast<size_t>(k)];
    const std::string stem = dir + "/points/" + id;
    if (fs::exists(stem + ".row")) continue;  // done by an earlier submission
    std::vector<std::string> args;
    std::ifstream a(dir + "/slurm/points/" + id + ".args");
    if (!a) throw InputError(dir + "/slurm/points/" + id + ".args", "cannot read the point");
    for (std::string line; std::getline(a, line);) args.push_back(line);
    fs::remove(stem + ".fail");
    const process::Exit exit = process::wait(launch_point(trine, args, stem));
    if (exit.ok() && fs::exists(stem + ".row")) continue;
    if (g_cancel && !exit.exited) return 130;  // cancelled: not the point's failure
    record_failure(stem, exit);
  }
  return 0;
}

}  // namespace trine::sweep
