// trine report: plots and a self-contained HTML report of a sweep's results, made by the
// embedded scripts/sweep_report.py under Debian's Python (matplotlib).
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "sim/cli/options.hpp"
#include "sim/util/embedded.hpp"
#include "sim/util/file.hpp"
#include "sim/util/process.hpp"

namespace trine::cli {

int cmd_report(const Args& args) {
  po::options_description opts("report options");
  opts.add_options()("dir", po::value<std::string>(),
                     "a sweep's output folder (trine sweep -o DIR)");
  po::positional_options_description pos;
  pos.add("dir", 1);
  po::variables_map vm;
  if (!parse("report", "DIR", args, opts, pos, vm)) return 0;
  if (!vm.count("dir"))
    throw InputError(
        "trine report: name a sweep's output folder: trine report DIR (see 'trine "
        "report --help')");
  const std::string dir = vm["dir"].as<std::string>();
  if (!std::filesystem::exists(dir + "/results.csv"))
    throw InputError(dir + "/results.csv",
                     "no such file (run 'trine sweep SPEC -o " + dir + "' first)");
  const embedded::File* script = embedded::find("scripts/sweep_report.py");
  if (!script) throw RunError("trine report: the plotting script is not embedded in this build");
  // Debian's interpreter has matplotlib; TRINE_PYTHON overrides it.
  const char* env = std::getenv("TRINE_PYTHON");
  const std::string python = env && *env ? env : "/usr/bin/python3";
  const std::string path = (std::filesystem::temp_directory_path() /
                            ("trine-sweep-report-" + std::to_string(::getpid()) + ".py"))
                               .string();
  write_file_atomic(path, std::string(script->text));
  const process::Exit exit = process::wait(process::spawn({python, path, dir}));
  std::filesystem::remove(path);
  if (!exit.exited) throw RunError("trine report: the plotting script crashed");
  return exit.status;
}

}  // namespace trine::cli
