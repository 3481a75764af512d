#include "models/dram/command.hpp"

#include <istream>
#include <ostream>
#include <sstream>

#include "sim/util/error.hpp"

namespace trine::dram {

namespace {
const char* const kNames[kCommandKinds] = {"ACT", "PRE", "RD",  "WR",  "RDA",
                                           "WRA", "REF", "PDE", "PDX", "PREA"};
}

const char* command_name(Command c) {
  return kNames[static_cast<int>(c)];
}
bool is_read(Command c) {
  return c == Command::RD || c == Command::RDA;
}
bool is_write(Command c) {
  return c == Command::WR || c == Command::WRA;
}
bool is_column(Command c) {
  return is_read(c) || is_write(c);
}
bool is_power_down(Command c) {
  return c == Command::PDE || c == Command::PDX;
}

std::string format_command(const CommandRecord& r) {
  const DramAddress& a = r.at;
  return std::to_string(r.cycle) + " " + command_name(r.command) + " " + std::to_string(a.channel) +
         " " + std::to_string(a.rank) + " " + std::to_string(a.group) + " " +
         std::to_string(a.bank) + " " + std::to_string(a.row) + " " + std::to_string(a.column);
}

void write_command_log(std::ostream& out, const std::vector<CommandRecord>& log) {
  out << "# trine DRAM command log: cycle command channel rank group bank row column\n";
  for (const CommandRecord& r : log) out << format_command(r) << '\n';
}

std::vector<CommandRecord> read_command_log(std::istream& in, const std::string& file) {
  std::vector<CommandRecord> log;
  std::string line;
  for (int lineno = 1; std::getline(in, line); ++lineno) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream s(line);
    std::string name, extra;
    CommandRecord r;
    s >> r.cycle >> name >> r.at.channel >> r.at.rank >> r.at.group >> r.at.bank >> r.at.row >>
        r.at.column;
    bool known = false;
    for (int k = 0; k < kCommandKinds; ++k)
      if (name == kNames[k]) r.command = static_cast<Command>(k), known = true;
    if (!s || !known || (s >> extra))
      throw InputError(
          Location{file, lineno, 1}, "command log",
          "expected '<cycle> <ACT|PRE|PREA|RD|WR|RDA|WRA|REF|PDE|PDX> <channel> <rank> <group> "
          "<bank> <row> <column>', got '" +
              line + "'");
    log.push_back(r);
  }
  return log;
}

}  // namespace trine::dram
