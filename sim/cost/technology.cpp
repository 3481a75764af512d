#include "sim/cost/technology.hpp"

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <sstream>

#include "sim/config/design_point.hpp"
#include "sim/config/schema_io.hpp"
#include "sim/config/yaml_util.hpp"
#include "sim/util/embedded.hpp"
#include "sim/util/file.hpp"
#include "sim/util/limits.hpp"

namespace trine::cost {

namespace {

using config::FieldVisitor;

// Walks the schema and collects every figure (the sections `figure` declares) with its key.
class FigureCollector : public FieldVisitor {
 public:
  FigureCollector(std::vector<FigureRef>& out, std::string path)
      : out_(out), path_(std::move(path)) {}
  void integer(const char*, int64_t&, int64_t, int64_t, const char*, const char*) override {}
  void bytes(const char*, int64_t&, int64_t, int64_t, const char*) override {}
  void hertz(const char*, int64_t&, int64_t, int64_t, const char*) override {}
  void real(const char*, double&, double, double, const char*, const char*) override {}
  void choice(const char*, std::string&, const std::vector<std::string>&, const char*) override {}
  void text(const char*, std::string&, const char*) override {}
  void section(const char* key, const char*,
               const std::function<void(FieldVisitor&)>& body) override {
    FigureCollector inner(out_, yaml::join(path_, key));
    body(inner);
  }
  void add(const char* key, const Figure& f, const char* unit) {
    out_.push_back({yaml::join(path_, key), unit, &f});
  }

 private:
  std::vector<FigureRef>& out_;
  std::string path_;
};

void figure(FieldVisitor& v, const char* key, Figure& f, const char* unit, const char* doc) {
  if (auto* c = dynamic_cast<FigureCollector*>(&v)) return c->add(key, f, unit);
  v.section(key, doc, [&](FieldVisitor& s) {
    s.real("value", f.value, 0, 1e12, unit, doc);
    s.text("source", f.source, "where the number comes from: publication, datasheet, derivation");
    s.section("check", "an independent figure the value is held against", [&](FieldVisitor& c) {
      c.real("value", f.check.value, 0, 1e12, unit,
             "the independent figure in the same unit (0: none exists; then note says why)");
      c.text("source", f.check.source, "where the independent figure comes from");
      c.text("note", f.check.note,
             "why value and check differ by more than 2x, or why there is no check (may be "
             "empty otherwise)");
    });
  });
}

}  // namespace

void LogicTech::describe(FieldVisitor& v) {
  figure(v, "adder_bit", adder_bit, "pJ", "energy per bit of an integer add");
  figure(v, "register_bit", register_bit, "pJ", "energy per flip-flop bit per clocked cycle");
  figure(v, "multiplier_bit", multiplier_bit, "pJ",
         "energy per partial-product bit of an array multiplier: an a x b-bit multiply costs "
         "a x b of them");
  figure(v, "shifter_bit", shifter_bit, "pJ", "energy per output bit of a barrel shifter");
  figure(v, "gate_area", gate_area, "um2", "area of one gate equivalent (a 2-input NAND)");
  figure(v, "gate_leakage_lp", gate_leakage_lp, "uW",
         "leakage of one gate equivalent in the low-power process (process: lp)");
  figure(v, "gate_leakage_hp", gate_leakage_hp, "uW",
         "leakage of one gate equivalent in the high-performance process (process: hp)");
}

void ArrayTech::describe(FieldVisitor& v) {
  figure(v, "bit_step_ternary", bit_step_ternary, "pJ",
         "energy of one activation bit in a cell holding a nonzero ternary weight");
  figure(v, "bit_step_kbit", bit_step_kbit, "pJ",
         "energy of one activation bit in a cell holding a nonzero k-bit weight, per weight bit");
  figure(v, "bit_step_int8", bit_step_int8, "pJ",
         "energy of one activation bit in a cell holding a nonzero 8-bit weight");
  figure(v, "cell_cycle", cell_cycle, "pJ",
         "energy of a mapped cell's pipeline registers (activation bit, partial sum) per cycle");
  figure(v, "cell_gates", cell_gates, "GE",
         "gate equivalents of one cell (area x logic.gate_area, leakage x logic.gate_leakage)");
  figure(v, "accumulator_gates_bit", accumulator_gates_bit, "GE",
         "gate equivalents of one bit of an accumulator (adder and register)");
  v.section("parallel", "the bit-parallel cell (the figures above are the bit-serial cell's)",
            [&](FieldVisitor& s) { parallel.describe(s); });
}

void ArrayTech::Parallel::describe(FieldVisitor& v) {
  figure(v, "mac_ternary", mac_ternary, "pJ",
         "energy of one MAC with a nonzero ternary weight at 8-bit activations (linear in "
         "act_bits)");
  figure(v, "mac_kbit", mac_kbit, "pJ",
         "energy of one MAC with a nonzero k-bit weight at 8-bit activations, per weight bit");
  figure(v, "mac_int8", mac_int8, "pJ",
         "energy of one MAC with a nonzero 8-bit weight at 8-bit activations (linear in "
         "act_bits)");
  figure(v, "cell_cycle", cell_cycle, "pJ",
         "energy of a mapped cell's pipeline registers (activation, partial sum) per cycle");
  figure(v, "cell_gates", cell_gates, "GE", "gate equivalents of one bit-parallel cell");
}

void SramTech::describe(FieldVisitor& v) {
  v.text("table", table,
         "CSV of SRAM macros (CACTI runs: energy, leakage, area, access time), beside this file");
  v.text("source", source, "how the table was made");
  v.text("cell_lp", cell_lp, "the table's cell type for the low-power process");
  v.text("cell_hp", cell_hp, "the table's cell type for the high-performance process");
}

void DecoderTech::describe(FieldVisitor& v) {
  figure(v, "table_lookup", table_lookup, "pJ",
         "energy of one (N,k) table lookup in a table of table_reference_entries rows");
  figure(v, "table_reference_entries", table_reference_entries, "rows",
         "table size the lookup energy is for");
  figure(v, "size_exponent", size_exponent, "",
         "lookup energy grows as (table_entries / table_reference_entries)^size_exponent");
  figure(v, "unit", unit, "pJ",
         "energy to extract and route one decoded unit (word, entry, code, pair, block row)");
  figure(v, "lane_gates", lane_gates, "GE", "gate equivalents of one decode lane");
  figure(v, "table_gates_bit", table_gates_bit, "GE",
         "gate equivalents of one decoder table bit (a latch-based register file)");
}

void DramTech::describe(FieldVisitor& v) {
  figure(v, "io_per_bit", io_per_bit, "pJ",
         "interface energy per bit transferred (drivers and termination); command and "
         "background energies come from the DRAM preset's currents");
}

void IoTech::describe(FieldVisitor& v) {
  figure(v, "pad_bit", pad_bit, "pJ",
         "energy per data bit the chip's I/O pads drive to or take from a host (offchip: io)");
}

void Technology::describe(FieldVisitor& v) {
  v.text("name", name, "technology name");
  v.text("description", description, "what the file models");
  v.text("scaling", scaling, "how the figures were brought to this node");
  static const std::string process_doc =
      "process flavour, selecting gate leakage and SRAM cells: " + models::docs_of(kProcesses);
  v.choice_of("process", process, kProcesses, process_doc.c_str());
  v.section("logic", "logic primitives", [&](FieldVisitor& s) { logic.describe(s); });
  v.section("array", "the MAC array", [&](FieldVisitor& s) { array.describe(s); });
  v.section("sram", "on-chip SRAM buffers", [&](FieldVisitor& s) { sram.describe(s); });
  v.section("decoder", "the weight decoder", [&](FieldVisitor& s) { decoder.describe(s); });
  v.section("dram", "off-chip DRAM interface", [&](FieldVisitor& s) { dram.describe(s); });
  v.section("io", "the chip's I/O pads to a host", [&](FieldVisitor& s) { io.describe(s); });
}

std::vector<FigureRef> figures_of(Technology& t) {
  std::vector<FigureRef> out;
  FigureCollector c(out, "");
  t.describe(c);
  return out;
}

namespace {

Location where_of(const config::KeyLocations& locs, const std::string& key,
                  const std::string& file) {
  const auto it = locs.find(key);
  return it != locs.end() ? it->second : Location{file, 0, 0};
}

// A figure far from its check, or without one, must say why.
void require_notes(Technology& t, const config::KeyLocations& locs, const std::string& file) {
  for (const FigureRef& f : figures_of(t)) {
    const Check& c = f.figure->check;
    if (!c.note.empty()) continue;
    if (c.value == 0)
      throw InputError(where_of(locs, f.key + ".check.value", file), f.key + ".check.note",
                       "empty: a figure without an independent check must say why");
    const double ratio = f.figure->value / c.value;
    if (ratio < 0.5 || ratio > 2.0) {
      char msg[160];
      std::snprintf(msg, sizeof msg,
                    "empty: the value is %.2fx its check, outside 2x either way: say why", ratio);
      throw InputError(where_of(locs, f.key + ".check.value", file), f.key + ".check.note", msg);
    }
  }
}

// The table named by sram.table: a path relative to the technology file; a bare name that is
// not there names an embedded table (so a copy of 40nm.yaml keeps working without its table).
void load_table(SramTech& s, const config::KeyLocations& locs, const std::string& file) {
  const Location at = where_of(locs, "sram.table", file);
  const std::string embedded_dir = "<embedded>/configs/tech/";
  std::string text, path = s.table;
  if (!s.table.empty() && s.table[0] != '/' && file.rfind(embedded_dir, 0) != 0) {
    const size_t slash = file.rfind('/');
    if (slash != std::string::npos) path = file.substr(0, slash + 1) + s.table;
  }
  const bool bare = s.table.find('/') == std::string::npos;
  const bool beside = file.rfind(embedded_dir, 0) != 0 && std::filesystem::exists(path);
  const embedded::File* builtin = bare ? embedded::find("configs/tech/" + s.table) : nullptr;
  if (!beside && builtin) {
    text = builtin->text;
    path = embedded_dir + s.table;
  } else if (!beside) {
    throw InputError(at, "sram.table",
                     "'" + s.table + "' is neither a file beside the technology file (" + path +
                         ") nor an embedded table (sram-cacti7-40nm.csv)");
  } else {
    text = read_input_file(path, limits::kTextFileBytes, "SRAM table");
  }
  s.loaded = SramTable::parse(text, path);
  for (const std::string* cell : {&s.cell_lp, &s.cell_hp}) {
    const bool lp = cell == &s.cell_lp;
    if (!s.loaded.has_cell(*cell))
      throw InputError(where_of(locs, lp ? "sram.cell_lp" : "sram.cell_hp", file),
                       lp ? "sram.cell_lp" : "sram.cell_hp",
                       "'" + *cell + "' is no cell type of the table " + path);
  }
}

Technology from_yaml(const YAML::Node& root, const std::string& file) {
  Technology t;
  config::KeyLocations locs;
  const config::Describe describe = [&](FieldVisitor& v) { t.describe(v); };
  config::apply_yaml(root, file, "", locs, describe);
  config::require_all_keys(locs, file, "", describe,
                           "missing: a technology file gives every energy, leakage and area "
                           "with its source (none defaults to zero)");
  require_notes(t, locs, file);
  load_table(t.sram, locs, file);
  t.file = file;
  return t;
}

}  // namespace

Technology load_technology(const std::string& value, const Location& where) {
  const config::NamedFile f =
      config::open_named_file(value, where, "tech", "configs/tech/", "technology");
  return from_yaml(f.root, f.file);
}

Technology parse_technology(const std::string& text, const std::string& file) {
  return from_yaml(yaml::parse(text, file), file);
}

Technology technology_of(const config::LoadedDesignPoint& dp) {
  const auto it = dp.locations.find("tech");
  return load_technology(dp.point.tech,
                         it != dp.locations.end() ? it->second : Location{dp.file, 0, 0});
}

std::string technology_keys() {
  Technology t;
  return config::list_keys([&](FieldVisitor& v) { t.describe(v); });
}

namespace {

std::string number_text(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3g", v);
  return buf;
}

// Markdown cell text: no pipes, no line breaks.
std::string cell_text(std::string s) {
  for (char& c : s)
    if (c == '|' || c == '\n') c = c == '|' ? '/' : ' ';
  return s;
}

}  // namespace

std::string check_table(Technology t) {
  std::ostringstream out;
  out << "| figure | trine | independent source | ratio | note |\n|---|---|---|---|---|\n";
  for (const FigureRef& f : figures_of(t)) {
    const Figure& g = *f.figure;
    const std::string unit = f.unit.empty() ? "" : " " + f.unit;
    out << "| `" << f.key << "` | " << number_text(g.value) << unit << " | ";
    if (g.check.value > 0)
      out << number_text(g.check.value) << unit << ": " << cell_text(g.check.source) << " | "
          << number_text(g.value / g.check.value) << " | ";
    else
      out << "none | - | ";
    out << cell_text(g.check.note) << " |\n";
  }
  return out.str();
}

}  // namespace trine::cost
