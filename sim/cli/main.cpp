// trine: the command-line front end. Subcommands parse their own options; errors in inputs
// exit with status 2 after one located message, failures of a run with status 1.
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <systemc>

#include "sim/cli/options.hpp"
#include "sim/util/error.hpp"
#include "sim/util/process.hpp"
#include "sim/util/version.hpp"

namespace {

using trine::cli::Args;

const trine::cli::Command kCommands[] = {
    {"check", "validate design points and .tnet files; --resolved prints them resolved",
     trine::cli::cmd_check},
    {"inspect", "layer table of a compressed network (.tnet)", trine::cli::cmd_inspect},
    {"convert", "re-encode a network's weights in another form (same values)",
     trine::cli::cmd_convert},
    {"infer", "integer reference predictions and accuracy on an IDX dataset",
     trine::cli::cmd_infer},
    {"train", "train and compress a network (LibTorch), write a .tnet", trine::cli::cmd_train},
    {"net", "a network of any shape with random compressed weights, calibrated; write a .tnet",
     trine::cli::cmd_net},
    {"import", "an ONNX model, quantized (and compressed) after training; write a .tnet",
     trine::cli::cmd_import},
    {"run", "simulate inference on the accelerator, bit-exact against the reference",
     trine::cli::cmd_run},
    {"dram", "simulate the DRAM alone on a trace or a generated pattern", trine::cli::cmd_dram},
    {"sweep", "run a design-space sweep, each point in its own process", trine::cli::cmd_sweep},
    {"regress", "re-run golden cases and compare their traces", trine::cli::cmd_regress},
    {"report", "plots and an HTML report of a sweep's results", trine::cli::cmd_report},
};

void usage(std::ostream& out) {
  out << "usage: trine [--version] [--help] COMMAND [OPTIONS]\n\n"
         "trine simulates accelerators for compressed neural networks.\n\ncommands:\n";
  for (const auto& c : kCommands)
    out << "  " << c.name << std::string(10 - std::strlen(c.name), ' ') << c.summary << "\n";
  out << "\n'trine COMMAND --help' describes a command.\n";
}

}  // namespace

// SystemC owns the process entry (its kernel is set up around sc_main), so main only keeps
// the banner away from the output and hands over.
int sc_main(int argc, char** argv) {
  trine::process::keep_freed_memory();  // each inference frees and allocates the same tensors
  const Args all(argv + 1, argv + argc);
  if (all.empty() || all[0] == "--help" || all[0] == "-h" || all[0] == "help") {
    usage(all.empty() ? std::cerr : std::cout);
    return all.empty() ? 2 : 0;
  }
  if (all[0] == "--version" || all[0] == "version") {
    std::cout << "trine " << trine::version() << " (" << trine::git_hash() << ")\n";
    return 0;
  }
  for (const auto& c : kCommands) {
    if (all[0] != c.name) continue;
    try {
      return c.run(Args(all.begin() + 1, all.end()));
    } catch (const trine::InputError& e) {
      std::cerr << e.what() << "\n";
      return 2;
    } catch (const trine::RunError& e) {
      std::cerr << "trine " << c.name << ": " << e.what() << "\n";
      return 1;
    } catch (const std::exception& e) {
      std::cerr << "trine " << c.name << ": unexpected error: " << e.what() << "\n";
      return 1;
    }
  }
  std::cerr << "trine: unknown command '" << all[0] << "' (see 'trine --help')\n";
  return 2;
}

int main(int argc, char** argv) {
  setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 1);
  return sc_core::sc_elab_and_sim(argc, argv);
}
