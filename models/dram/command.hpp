#pragma once
// DRAM commands and the command log: one line per command, the form the protocol checker and
// golden traces read. Columns count bursts within the row.
#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

namespace trine::dram {

// PDE and PDX are power-down entry and exit: CKE falling and rising for a rank, not commands on
// the command bus (they may share a cycle with each other, never with a command).
// PREA precharges every open bank of a rank (before a refresh).
enum class Command : uint8_t { ACT, PRE, RD, WR, RDA, WRA, REF, PDE, PDX, PREA };
constexpr int kCommandKinds = 10;

const char* command_name(Command c);
bool is_read(Command c);   // RD, RDA
bool is_write(Command c);  // WR, WRA
bool is_column(Command c);
bool is_power_down(Command c);  // PDE, PDX

// Where a burst lives. `bank` counts within its bank group.
struct DramAddress {
  int32_t channel = 0, rank = 0, group = 0, bank = 0;
  int64_t row = 0, column = 0;
  bool operator==(const DramAddress& o) const {
    return channel == o.channel && rank == o.rank && group == o.group && bank == o.bank &&
           row == o.row && column == o.column;
  }
};

struct CommandRecord {
  int64_t cycle = 0;  // device clock cycle the command is on the command bus
  Command command = Command::ACT;
  DramAddress at;  // row for ACT and column commands, column for column commands; else 0
};

// "<cycle> <CMD> <channel> <rank> <group> <bank> <row> <column>"
std::string format_command(const CommandRecord& r);
// Writes a header comment and one line per command.
void write_command_log(std::ostream& out, const std::vector<CommandRecord>& log);
// Reads a command log; a malformed line is an InputError naming the file and line.
std::vector<CommandRecord> read_command_log(std::istream& in, const std::string& file);

}  // namespace trine::dram
