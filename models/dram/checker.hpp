#pragma once
// An independent JEDEC protocol checker. It reads a command log and the device's timing and
// tests every constraint the standard sets between pairs of commands, plus the state rules
// (activate a closed bank, access the open row, refresh a precharged rank), the four-activate
// window, the command bus, data-bus overlap and the refresh interval. It shares nothing with
// the controller but the spec and the log format: it states the rules as a table, where the
// controller keeps running earliest-issue cycles.
#include <cstdint>
#include <string>
#include <vector>

#include "models/dram/command.hpp"
#include "models/dram/spec.hpp"

namespace trine::dram {

struct Violation {
  size_t index = 0;  // position of the offending command in the log
  std::string rule;  // e.g. "tRCD"
  std::string message;
};

// `end_cycle`: the cycle the log covers up to, for the refresh-interval rule.
std::vector<Violation> check_protocol(const DramSpec& spec, const std::vector<CommandRecord>& log,
                                      int64_t end_cycle);

}  // namespace trine::dram
