#include "sim/cli/options.hpp"

#include <iostream>

#include "sim/util/error.hpp"

namespace trine::cli {

bool parse(const char* command, const char* usage, const Args& args,
           const po::options_description& options, const po::positional_options_description& pos,
           po::variables_map& vm) {
  po::options_description all(options);
  all.add_options()("help,h", "show this help");
  try {
    po::store(po::command_line_parser(args)
                  .options(all)
                  .positional(pos)
                  .style(po::command_line_style::default_style &
                         ~po::command_line_style::allow_guessing)  // --epoch is not --epochs
                  .run(),
              vm);
    if (vm.count("help")) {
      std::cout << "usage: trine " << command << " " << usage << "\n\n" << all << "\n";
      return false;
    }
    po::notify(vm);
  } catch (const po::error& e) {
    throw InputError(std::string("trine ") + command + ": " + e.what() + " (see 'trine " + command +
                     " --help')");
  }
  return true;
}

void add_arch_options(po::options_description& options) {
  options.add_options()("arch", po::value<std::string>(),
                        "design point YAML (default: the embedded configs/arch/default.yaml)")(
      "set", po::value<std::vector<std::string>>()->composing(),
      "override a design-point key, e.g. --set array.rows=32 (repeatable)");
}

std::vector<config::Override> overrides(const po::variables_map& vm) {
  std::vector<config::Override> out;
  if (vm.count("set"))
    for (const std::string& s : vm["set"].as<std::vector<std::string>>())
      out.push_back(config::parse_override(s));
  return out;
}

config::LoadedDesignPoint load_arch(const po::variables_map& vm) {
  if (vm.count("arch"))
    return config::load_design_point(vm["arch"].as<std::string>(), overrides(vm));
  return config::default_design_point(overrides(vm));
}

}  // namespace trine::cli
