// trine regress: re-runs golden cases and compares their traces (sim/regress/regress.hpp).
#include <iostream>

#include "sim/cli/options.hpp"
#include "sim/regress/regress.hpp"
#include "sim/util/process.hpp"

namespace trine::cli {

int cmd_regress(const Args& args) {
  po::options_description opts("regress options");
  opts.add_options()("cases", po::value<std::string>()->default_value("traces"),
                     "a folder of cases (each a folder with case.yaml), or one case")(
      "update", "re-bless: write each case's trace as its new expectation")("quiet,q",
                                                                            "print failures only");
  po::positional_options_description pos;
  pos.add("cases", 1);
  po::variables_map vm;
  if (!parse("regress", "[DIR] [--update]", args, opts, pos, vm)) return 0;
  const std::vector<std::string> dirs = regress::find_cases(vm["cases"].as<std::string>());
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
