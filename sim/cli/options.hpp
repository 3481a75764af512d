#pragma once
// Shared pieces of the subcommands: option parsing with --help, and the one way every command
// that takes --arch loads and validates it (before doing anything else).
#include <boost/program_options.hpp>

#include <string>
#include <vector>

#include "sim/config/design_point.hpp"

namespace trine::cli {

namespace po = boost::program_options;

using Args = std::vector<std::string>;

struct Command {
  const char* name;
  const char* summary;
  int (*run)(const Args& args);
};

// Parses `args`; on --help prints usage and the options and returns false.
// Bad options throw InputError ("trine CMD: ...").
bool parse(const char* command, const char* usage, const Args& args,
           const po::options_description& options, const po::positional_options_description& pos,
           po::variables_map& vm);

// Adds --arch FILE and --set KEY=VALUE (repeatable).
void add_arch_options(po::options_description& options);
// The --set KEY=VALUE overrides, in command-line order.
std::vector<config::Override> overrides(const po::variables_map& vm);
// The design point named by --arch (the embedded default without it), with the --set overrides.
config::LoadedDesignPoint load_arch(const po::variables_map& vm);

int cmd_check(const Args& args);
int cmd_inspect(const Args& args);
int cmd_convert(const Args& args);
int cmd_infer(const Args& args);
int cmd_train(const Args& args);
int cmd_net(const Args& args);
int cmd_import(const Args& args);
int cmd_dram(const Args& args);
int cmd_run(const Args& args);
int cmd_sweep(const Args& args);
int cmd_regress(const Args& args);
int cmd_report(const Args& args);

}  // namespace trine::cli
