#pragma once
// A technology file (configs/tech/NAME.yaml): the energy of every event the hardware counts,
// the leakage and the area of every component, each number with its unit and its source.
// It is an input like a design point: `tech: 40nm` names an embedded file, `tech: my.yaml` a
// path. Every key is required: a missing energy would otherwise price an event at zero.
#include <string>

#include "sim/config/design_point.hpp"
#include "sim/config/schema.hpp"
#include "sim/util/error.hpp"

namespace trine::cost {

// One number of the technology file: its value (in the unit its key declares) and where it
// comes from (a publication, a datasheet, or the derivation from them).
struct Figure {
  double value = 0;
  std::string source;
};

struct LogicTech {
  Figure adder_bit;     // pJ per bit of a ripple add
  Figure register_bit;  // pJ per flip-flop bit clocked
  void describe(config::FieldVisitor& v);
};

struct ArrayTech {
  Figure bit_step_ternary;  // pJ per activation bit of a cell with a nonzero ternary weight
  Figure bit_step_kbit;     // pJ per activation bit per weight bit (k-bit weights)
  Figure bit_step_int8;     // pJ per activation bit of a cell with a nonzero 8-bit weight
  Figure cell_cycle;        // pJ per mapped cell per cycle (its pipeline registers)
  Figure requantize;        // pJ per output value (scale, round, clamp)
  Figure cell_area;         // um2 per cell
  Figure cell_leakage;      // uW per cell
  Figure accumulator_area_bit, accumulator_leakage_bit;  // per column accumulator bit
  // The bit-parallel cell (array.cell: bit-parallel); the figures above are the bit-serial one's.
  struct Parallel {
    Figure mac_ternary;   // pJ per MAC with a nonzero ternary weight, at 8-bit activations
    Figure mac_kbit;      // pJ per MAC per weight bit (k-bit weights), at 8-bit activations
    Figure mac_int8;      // pJ per MAC with a nonzero 8-bit weight, at 8-bit activations
    Figure cell_cycle;    // pJ per mapped cell per cycle (its pipeline registers)
    Figure cell_area;     // um2 per cell
    Figure cell_leakage;  // uW per cell
    void describe(config::FieldVisitor& v);
  } parallel;
  void describe(config::FieldVisitor& v);
};

struct SramTech {
  Figure read_64b, write_64b;  // pJ per 64-bit access of a reference_size macro
  Figure reference_size;       // KiB
  Figure size_exponent;        // energy grows as (size / reference_size)^exponent
  Figure area_per_kib;         // um2
  Figure leakage_per_kib;      // uW
  void describe(config::FieldVisitor& v);
};

struct DecoderTech {
  Figure table_lookup;                       // pJ per lookup in a table of reference_entries rows
  Figure table_reference_entries;            // rows
  Figure unit;                               // pJ per decoded unit (field extraction and routing)
  Figure lane_area, lane_leakage;            // um2, uW per lane
  Figure table_area_bit, table_leakage_bit;  // um2, uW per table bit
  void describe(config::FieldVisitor& v);
};

struct VectorTech {
  Figure rescale;  // pJ per input element of an add: multiply by its scale, round, accumulate
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
  LogicTech logic;
  ArrayTech array;
  SramTech sram;
  DecoderTech decoder;
  VectorTech vector;
  DramTech dram;
  IoTech io;
  std::string file;  // where it was read from (messages, reports)
  void describe(config::FieldVisitor& v);
};

// Reads the technology a design point names (`value` of its `tech` key, set at `where`): an
// embedded configs/tech/NAME.yaml or a path relative to the file that names it. Unknown keys,
// wrong units, out-of-range values and missing keys are InputErrors naming file, line and key.
Technology load_technology(const std::string& value, const Location& where);
Technology parse_technology(const std::string& text, const std::string& file);
// The technology a resolved design point names, errors located at its `tech` key.
Technology technology_of(const config::LoadedDesignPoint& dp);
// One line per technology-file key (for `trine check --tech-keys` and docs).
std::string technology_keys();

}  // namespace trine::cost
