// trine regress: re-runs golden cases and compares their traces (sim/regress/regress.hpp).
#include <filesystem>
#include <iostream>

#include "sim/cli/options.hpp"
#include "sim/regress/regress.hpp"
#include "sim/util/process.hpp"

namespace trine::cli {

int cmd_regress(const Args& args) {
  po::options_description opts("regress options");
  opts.add_options()("cases", po::value<std::string>(),
                     "a folder of cases (each a folder with case.yaml), or one case; default: "
                     "traces/ here, or else the golden cases of the source tree trine was built "
                     "from")("update", "re-bless: write each case's trace as its new expectation")(
      "quiet,q", "print failures only");
  po::positional_options_description pos;
  pos.add("cases", 1);
  po::variables_map vm;
  if (!parse("regress", "[DIR] [--update]", args, opts, pos, vm)) return 0;
  std::string cases = vm.count("cases") ? vm["cases"].as<std::string>() : "traces";
  if (!vm.count("cases") && !std::filesystem::is_directory(cases) &&
      std::filesystem::is_directory(TRINE_SOURCE_DIR "/traces"))
    cases = TRINE_SOURCE_DIR "/traces";
  const std::vector<std::string> dirs = regress::find_cases(cases);
  regress::Options o;
  o.trine = process::self_executable();
  o.update = vm.count("update") > 0;
  o.quiet = vm.count("quiet") > 0;
  const int failed = regress::run_cases(dirs, o);
  std::cout << dirs.size() - static_cast<size_t>(failed) << " of " << dirs.size() << " cases "
            << (o.update ? "blessed" : "match their golden traces") << "\n";
  return failed == 0 ? 0 : 1;
}

}  // namespace trine::cli
