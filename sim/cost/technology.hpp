#pragma once
// A technology file (configs/tech/NAME.yaml): the energy of every event the hardware counts,
// the leakage and the area of every component, each number with its unit and its source.
// It is an input like a design point: `tech: 40nm` names an embedded file, `tech: my.yaml` a
// path. Every key is required: a missing energy would otherwise price an event at zero.
#include <array>
#include <string>
#include <vector>

#include "models/common/named.hpp"
#include "sim/config/design_point.hpp"
#include "sim/config/schema.hpp"
#include "sim/cost/sram_table.hpp"
#include "sim/util/error.hpp"

namespace trine::cost {

// The process flavour: which transistors the logic and the SRAM cells use. It selects the
// leakage of every gate and the SRAM table's cell type, so the two are always consistent.
enum class Process { LowPower, HighPerformance };
inline constexpr std::array<models::Named<Process>, 2> kProcesses{{
    {Process::LowPower, "lp", "low-power process: high-threshold, low-leakage transistors"},
    {Process::HighPerformance, "hp",
     "high-performance process: fast, leaky transistors (about 13x the leakage)"},
}};

// An independent figure a value is held against: a source other than the one the value is
// taken from. `value` 0 means none exists; then, and whenever the two differ by more than 2x,
// `note` says why (the loader refuses a file that does not).
struct Check {
  double value = 0;
  std::string source;
  std::string note;
};

// One number of the technology file: its value (in the unit its key declares), where it comes
// from (a publication, a datasheet, or the derivation from them) and its check.
struct Figure {
  double value = 0;
  std::string source;
  Check check;
};

struct LogicTech {
  Figure adder_bit;       // pJ per bit of a ripple add
  Figure register_bit;    // pJ per flip-flop bit clocked
  Figure multiplier_bit;  // pJ per partial-product bit of an array multiplier (a x b bits)
  Figure shifter_bit;     // pJ per bit of a barrel shifter's output
  Figure gate_area;       // um2 per gate equivalent (GE, a 2-input NAND)
  Figure gate_leakage_lp, gate_leakage_hp;  // uW per GE, by process
  const Figure& gate_leakage(Process p) const {
    return p == Process::LowPower ? gate_leakage_lp : gate_leakage_hp;
  }
  void describe(config::FieldVisitor& v);
};

struct ArrayTech {
  Figure bit_step_ternary;       // pJ per activation bit of a cell with a nonzero ternary weight
  Figure bit_step_kbit;          // pJ per activation bit per weight bit (k-bit weights)
  Figure bit_step_int8;          // pJ per activation bit of a cell with a nonzero 8-bit weight
  Figure cell_cycle;             // pJ per mapped cell per cycle (its pipeline registers)
  Figure cell_gates;             // GE per cell (area and leakage follow from logic.gate_*)
  Figure accumulator_gates_bit;  // GE per column accumulator bit
  // The bit-parallel cell (array.cell: bit-parallel); the figures above are the bit-serial one's.
  struct Parallel {
    Figure mac_ternary;  // pJ per MAC with a nonzero ternary weight, at 8-bit activations
    Figure mac_kbit;     // pJ per MAC per weight bit (k-bit weights), at 8-bit activations
    Figure mac_int8;     // pJ per MAC with a nonzero 8-bit weight, at 8-bit activations
    Figure cell_cycle;   // pJ per mapped cell per cycle (its pipeline registers)
    Figure cell_gates;   // GE per cell
    void describe(config::FieldVisitor& v);
  } parallel;
  void describe(config::FieldVisitor& v);
};

// SRAM buffers come from a table of CACTI runs (sim/cost/sram_table.hpp), not a formula.
struct SramTech {
  std::string table;    // file name, beside the technology file (or embedded with it)
  std::string source;   // how the table was made
  std::string cell_lp;  // the table's cell type for each process
  std::string cell_hp;
  SramTable loaded;  // the table, read when the technology is
  const std::string& cell(Process p) const { return p == Process::LowPower ? cell_lp : cell_hp; }
  void describe(config::FieldVisitor& v);
};

struct DecoderTech {
  Figure table_lookup;             // pJ per lookup in a table of reference_entries rows
  Figure table_reference_entries;  // rows
  Figure size_exponent;            // lookup energy grows as (entries / reference)^exponent
  Figure unit;                     // pJ per decoded unit (field extraction and routing)
  Figure lane_gates;               // GE per lane
  Figure table_gates_bit;          // GE per table bit
  void describe(config::FieldVisitor& v);
};

struct DramTech {
  Figure io_per_bit;  // pJ per bit moved over the interface (drivers and termination)
  void describe(config::FieldVisitor& v);
};

struct IoTech {
  Figure pad_bit;  // pJ per data bit across the chip's pins to a host (offchip: io)
  void describe(config::FieldVisitor& v);
};

struct Technology {
  std::string name;
  std::string description;
  std::string scaling;  // how the figures were brought to this node
  Process process = Process::LowPower;
  LogicTech logic;
  ArrayTech array;
  SramTech sram;
  DecoderTech decoder;
  DramTech dram;
  IoTech io;
  std::string file;  // where it was read from (messages, reports)
  void describe(config::FieldVisitor& v);
};

// Every figure of a technology with its dotted key and unit, in file order.
struct FigureRef {
  std::string key;  // "logic.adder_bit"
  std::string unit;
  const Figure* figure = nullptr;
};
std::vector<FigureRef> figures_of(Technology& t);

// Reads the technology a design point names (`value` of its `tech` key, set at `where`): an
// embedded configs/tech/NAME.yaml or a path relative to the file that names it. Unknown keys,
// wrong units, out-of-range values and missing keys are InputErrors naming file, line and key.
Technology load_technology(const std::string& value, const Location& where);
Technology parse_technology(const std::string& text, const std::string& file);
// The technology a resolved design point names, errors located at its `tech` key.
Technology technology_of(const config::LoadedDesignPoint& dp);
// One line per technology-file key (for `trine check --tech-keys` and docs).
std::string technology_keys();
// The figures held against their checks, as a Markdown table (`trine check --tech-table`,
// docs/cost.md): figure | trine | independent source | ratio | note.
std::string check_table(Technology t);

}  // namespace trine::cost
