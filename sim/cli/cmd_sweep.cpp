// trine sweep: runs every point of a sweep spec in its own process and collects the results.
#include <algorithm>
#include <iostream>

#include "sim/cli/options.hpp"
#include "sim/sweep/runner.hpp"
#include "sim/util/process.hpp"

namespace trine::cli {

int cmd_sweep(const Args& args) {
  po::options_description opts("sweep options");
  opts.add_options()("spec", po::value<std::string>()->required(), "the sweep spec (.yaml)")(
      "jobs,j", po::value<int>()->default_value(1), "points run at the same time")(
      "output,o", po::value<std::string>(), "results folder (required unless --list)")(
      "list", "print the points (after the filter) and their ids; run nothing")(
      "quiet,q", "no progress lines");
  po::positional_options_description pos;
  pos.add("spec", 1);
  po::variables_map vm;
  if (!parse("sweep", "SPEC.yaml -o DIR [-j N] [--list]", args, opts, pos, vm)) return 0;
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
  const int jobs = vm["jobs"].as<int>();
  if (jobs < 1 || jobs > 1024) throw InputError("trine sweep: -j must be in [1, 1024]");
  sweep::RunOptions o;
  o.jobs = jobs;
  o.dir = vm["output"].as<std::string>();
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
