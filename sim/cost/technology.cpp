#include "sim/cost/technology.hpp"

#include "sim/config/design_point.hpp"
#include "sim/config/schema_io.hpp"
#include "sim/config/yaml_util.hpp"

namespace trine::cost {

namespace {

using config::FieldVisitor;

void figure(FieldVisitor& v, const char* key, Figure& f, const char* unit, const char* doc) {
  v.section(key, doc, [&](FieldVisitor& s) {
    s.real("value", f.value, 0, 1e12, unit, doc);
    s.text("source", f.source, "where the number comes from: publication, datasheet, derivation");
  });
}

}  // namespace

void LogicTech::describe(FieldVisitor& v) {
  figure(v, "adder_bit", adder_bit, "pJ", "energy per bit of an integer add");
  figure(v, "register_bit", register_bit, "pJ", "energy per flip-flop bit per clocked cycle");
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
  figure(v, "requantize", requantize, "pJ",
         "energy to scale, round and clamp one accumulator value to an activation");
  figure(v, "cell_area", cell_area, "um2", "area of one cell");
  figure(v, "cell_leakage", cell_leakage, "uW", "leakage power of one cell");
  figure(v, "accumulator_area_bit", accumulator_area_bit, "um2",
         "area of one bit of a column accumulator (adder and register)");
  figure(v, "accumulator_leakage_bit", accumulator_leakage_bit, "uW",
         "leakage of one bit of a column accumulator");
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
  figure(v, "cell_area", cell_area, "um2", "area of one bit-parallel cell");
  figure(v, "cell_leakage", cell_leakage, "uW", "leakage power of one bit-parallel cell");
}

void SramTech::describe(FieldVisitor& v) {
  figure(v, "read_64b", read_64b, "pJ", "energy of a 64-bit read of a reference_size macro");
  figure(v, "write_64b", write_64b, "pJ", "energy of a 64-bit write of a reference_size macro");
  figure(v, "reference_size", reference_size, "KiB", "macro size the access energies are for");
  figure(v, "size_exponent", size_exponent, "",
         "access energy grows as (bank size / reference_size)^size_exponent; it is linear in "
         "the word width");
  figure(v, "area_per_kib", area_per_kib, "um2", "area per KiB, periphery included");
  figure(v, "leakage_per_kib", leakage_per_kib, "uW", "leakage power per KiB");
}

void DecoderTech::describe(FieldVisitor& v) {
  figure(v, "table_lookup", table_lookup, "pJ",
         "energy of one (N,k) table lookup in a table of table_reference_entries rows; it "
         "scales with the table like an SRAM (sram.size_exponent)");
  figure(v, "table_reference_entries", table_reference_entries, "rows",
         "table size the lookup energy is for");
  figure(v, "unit", unit, "pJ",
         "energy to extract and route one decoded unit (word, entry, code, pair, block row)");
  figure(v, "lane_area", lane_area, "um2", "area of one decode lane");
  figure(v, "lane_leakage", lane_leakage, "uW", "leakage of one decode lane");
  figure(v, "table_area_bit", table_area_bit, "um2", "area of one decoder table bit");
  figure(v, "table_leakage_bit", table_leakage_bit, "uW", "leakage of one decoder table bit");
}

void VectorTech::describe(FieldVisitor& v) {
  figure(v, "rescale", rescale, "pJ",
         "energy of one input element of an add layer: multiplied by its input's scale (an "
         "activation by a multiplier of up to 31 bits), rounded, shifted and added to the sum");
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
  v.section("logic", "logic primitives", [&](FieldVisitor& s) { logic.describe(s); });
  v.section("array", "the bit-serial MAC array", [&](FieldVisitor& s) { array.describe(s); });
  v.section("sram", "on-chip SRAM buffers", [&](FieldVisitor& s) { sram.describe(s); });
  v.section("decoder", "the weight decoder", [&](FieldVisitor& s) { decoder.describe(s); });
  v.section("vector", "the vector unit (pooling, add, concat, shift, global pooling)",
            [&](FieldVisitor& s) { vector.describe(s); });
  v.section("dram", "off-chip DRAM interface", [&](FieldVisitor& s) { dram.describe(s); });
  v.section("io", "the chip's I/O pads to a host", [&](FieldVisitor& s) { io.describe(s); });
}

namespace {

Technology from_yaml(const YAML::Node& root, const std::string& file) {
  Technology t;
  config::KeyLocations locs;
  const config::Describe describe = [&](FieldVisitor& v) { t.describe(v); };
  config::apply_yaml(root, file, "", locs, describe);
  config::require_all_keys(locs, file, "", describe,
                           "missing: a technology file gives every energy, leakage and area "
                           "with its source (none defaults to zero)");
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

}  // namespace trine::cost
