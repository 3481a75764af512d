// trine sweep: runs every point of a sweep spec in its own process and collects the results,
// on this machine (-j N) or as a Slurm job array (--backend slurm).
#include <algorithm>
#include <iostream>

#include "sim/cli/options.hpp"
#include "sim/sweep/runner.hpp"
#include "sim/sweep/slurm.hpp"
#include "sim/util/process.hpp"

namespace trine::cli {

namespace {

// --status and --collect: what the folder holds, from the spec it remembers.
int report_status(const std::string& dir, bool collect) {
  const sweep::Spec spec = sweep::load_spec(sweep::remembered_spec(dir));
  const std::vector<sweep::Point> points = sweep::expand(spec);
  const std::vector<std::string> ids = sweep::point_ids(spec, points);
  const sweep::Status st = sweep::status(ids, dir);
  if (collect) sweep::write_results(spec, points, ids, dir);
  std::cout << "sweep " << spec.name << ": " << points.size() << " points, " << st.done.size()
            << " done, " << st.failed.size() << " failed, " << st.missing.size() << " missing"
            << (collect ? "; results in " + dir + "/results.csv" : "") << "\n";
  auto list = [&](const char* what, const std::vector<size_t>& which) {
    for (size_t i : which) {
      std::cout << what << ' ' << points[i].index << ' ' << ids[i];
      for (const auto& [k, v] : points[i].values) std::cout << ' ' << k << '=' << v;
      std::cout << '\n';
    }
  };
  list("failed ", st.failed);
  list("missing", st.missing);
  return st.failed.empty() && st.missing.empty() ? 0 : 3;
}

}  // namespace

int cmd_sweep(const Args& args) {
  po::options_description opts("sweep options");
  opts.add_options()("spec", po::value<std::string>(), "the sweep spec (.yaml)")(
      "jobs,j", po::value<int>()->default_value(1), "points run at the same time (local)")(
      "output,o", po::value<std::string>(), "results folder")(
      "list", "print the points (after the filter) and their ids; run nothing")(
      "quiet,q", "no progress lines")(
      "backend", po::value<std::string>()->default_value("local"),
      "local (processes on this machine) or slurm (a job array; see docs/sweeps.md)")(
      "partition", po::value<std::string>()->default_value(""), "slurm: the partition")(
      "chunk", po::value<int64_t>()->default_value(8), "slurm: points per array task")(
      "time", po::value<std::string>()->default_value(""), "slurm: time limit per array task")(
      "dry-run", "slurm: write the sbatch script, do not submit")(
      "collect", po::value<std::string>(),
      "merge the finished points of DIR into DIR/results.csv and .jsonl; list the rest")(
      "status", po::value<std::string>(), "list DIR's done, failed and missing points")(
      "worker", po::value<std::string>(), "(used by the sbatch script) the list of point ids")(
      "task", po::value<int64_t>(), "(used by the sbatch script) the array task");
  po::positional_options_description pos;
  pos.add("spec", 1);
  po::variables_map vm;
  if (!parse("sweep",
             "SPEC.yaml -o DIR [-j N] [--list] [--backend slurm [--partition P] [--chunk K] "
             "[--time T] [--dry-run]] | --collect DIR | --status DIR",
             args, opts, pos, vm))
    return 0;
  if (vm.count("collect")) return report_status(vm["collect"].as<std::string>(), true);
  if (vm.count("status")) return report_status(vm["status"].as<std::string>(), false);
  if (!vm.count("spec"))
    throw InputError("trine sweep: name a sweep spec (see 'trine sweep --help')");
  const sweep::Spec spec = sweep::load_spec(vm["spec"].as<std::string>());
  const std::vector<sweep::Point> points = sweep::expand(spec);
  if (vm.count("list")) {
    for (const sweep::Point& p : points) {
      std::cout << p.index << ' ' << sweep::point_id(spec, p);
      for (const auto& [k, v] : p.values) std::cout << ' ' << k << '=' << v;
      std::cout << '\n';
    }
    return 0;
  }
  if (!vm.count("output")) throw InputError("trine sweep: -o DIR is required");
  const std::string dir = vm["output"].as<std::string>();
  const std::string backend = vm["backend"].as<std::string>();
  if (backend != "local" && backend != "slurm")
    throw InputError("trine sweep: --backend '" + backend + "' is not one of: local, slurm");
  const int64_t chunk = vm["chunk"].as<int64_t>();
  if (chunk < 1 || chunk > 100000) throw InputError("trine sweep: --chunk must be in [1, 100000]");
  if (backend == "slurm") {
    sweep::SlurmOptions so;
    so.trine = process::self_executable();
    so.partition = vm["partition"].as<std::string>();
    so.time = vm["time"].as<std::string>();
    so.chunk = chunk;
    so.dry_run = vm.count("dry-run") > 0;
    const sweep::Submission s = sweep::submit_slurm(spec, points, dir, so);
    if (s.points == 0) {
      std::cout << "sweep " << spec.name << ": every point is done; results in " << dir
                << "/results.csv\n";
      return 0;
    }
    std::cout << "sweep " << spec.name << ": " << s.points << " points in " << s.tasks
              << " array tasks of " << chunk << ": " << s.script << "\n";
    if (s.job_id.empty())
      std::cout << "dry run: submit with sbatch " << s.script << "\n";
    else
      std::cout << "submitted job " << s.job_id << "; when it is done: trine sweep --collect "
                << dir << "\n";
    return 0;
  }
  const int jobs = vm["jobs"].as<int>();
  if (jobs < 1 || jobs > 1024) throw InputError("trine sweep: -j must be in [1, 1024]");
  sweep::RunOptions o;
  o.jobs = jobs;
  o.dir = dir;
  o.trine = process::self_executable();
  o.quiet = vm.count("quiet") > 0;
  const sweep::Outcome r = sweep::run_sweep(spec, points, o);
  std::cerr << "sweep " << spec.name << ": " << r.succeeded + r.skipped << " of " << r.points
            << " points done (" << r.skipped << " from an earlier run), " << r.failed << " failed"
            << (r.interrupted ? ", interrupted" : "") << "; results in " << o.dir
            << "/results.csv\n";
  if (r.interrupted) return 130;
  // 100 + the number of failed points (at most 255).
  return r.failed == 0 ? 0 : 100 + static_cast<int>(std::min<int64_t>(r.failed, 155));
}

}  // namespace trine::cli
