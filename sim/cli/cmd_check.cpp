// trine check: validates design points and .tnet files without running anything.
#include <iostream>

#include "sim/cli/options.hpp"
#include "sim/cost/cost_model.hpp"
#include "sim/net/tnet.hpp"

namespace trine::cli {

static bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

int cmd_check(const Args& args) {
  po::options_description opts("check options");
  opts.add_options()("file", po::value<std::vector<std::string>>(), "files to check")(
      "resolved", "print each design point with every default filled in and units explicit")(
      "keys", "list every design-point key with its type, range and unit")(
      "tech-keys", "list every technology-file key with its type, range and unit")(
      "tech-table", po::value<std::string>()->implicit_value("40nm"),
      "print a technology's figures against their independent checks as a Markdown table "
      "(default: 40nm; or a path to a technology .yaml)")(
      "set", po::value<std::vector<std::string>>()->composing(),
      "override a design-point key before checking, e.g. --set array.rows=32");
  po::positional_options_description pos;
  pos.add("file", -1);
  po::variables_map vm;
  if (!parse("check",
             "[--resolved] [--set KEY=VALUE]... [FILE...]   (no FILE: the embedded default "
             "design point)\n       trine check --keys | --tech-keys | --tech-table [TECH]",
             args, opts, pos, vm))
    return 0;
  if (vm.count("keys")) {
    std::cout << config::key_reference();
    return 0;
  }
  if (vm.count("tech-keys")) {
    std::cout << cost::technology_keys();
    return 0;
  }
  if (vm.count("tech-table")) {
    std::cout << cost::check_table(
        cost::load_technology(vm["tech-table"].as<std::string>(), Location{"--tech-table", 0, 0}));
    return 0;
  }
  std::vector<std::string> files;
  if (vm.count("file")) files = vm["file"].as<std::vector<std::string>>();
  if (files.empty()) {  // the embedded default, with any --set
    const config::LoadedDesignPoint dp = load_arch(vm);
    const cost::CostModel priced(cost::technology_of(dp), dp.point, dp.locations);
    if (vm.count("resolved"))
      std::cout << config::resolved_yaml(dp.point);
    else
      std::cout << dp.file << ": ok (design point '" << dp.point.name << "', technology '"
                << priced.technology().name << "')\n";
    return 0;
  }
  for (const std::string& f : files) {
    if (ends_with(f, ".tnet")) {
      const net::Network n = net::read_tnet(f);
      if (!vm.count("resolved"))
        std::cout << f << ": ok (network '" << n.name << "', " << n.layers.size() << " layers)\n";
      continue;
    }
    const config::LoadedDesignPoint dp = config::load_design_point(f, overrides(vm));
    // The technology it names, and the DRAM currents the cost model needs.
    const cost::CostModel priced(cost::technology_of(dp), dp.point, dp.locations);
    if (vm.count("resolved")) {
      if (files.size() > 1) std::cout << "# " << f << "\n";
      std::cout << config::resolved_yaml(dp.point);
    } else {
      std::cout << f << ": ok (design point '" << dp.point.name << "', technology '"
                << priced.technology().name << "')\n";
    }
  }
  return 0;
}

}  // namespace trine::cli
