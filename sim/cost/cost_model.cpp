#include "sim/cost/cost_model.hpp"

#include "sim/config/yaml_util.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>

namespace trine::cost {

namespace {

// Bits each (N,k) decoder table row holds: up to 8 trits of 2 bits.
constexpr double kTableRowBits = 16;

template <class T>
double sum_terms(const std::vector<T>& terms) {
  double s = 0;
  for (const T& t : terms) s += t.product();
  return s;
}

}  // namespace

const char* component_name(Component c) {
  switch (c) {
    case Component::Dram:
      return "dram";
    case Component::Buffers:
      return "buffers";
    case Component::Decoder:
      return "decoder";
    case Component::Array:
      return "array";
    case Component::Leakage:
      return "leakage";
    case Component::Io:
      return "io";
  }
  return "?";
}

double Price::each() const {
  return sum_terms(terms);
}
double StaticPower::microwatts() const {
  return sum_terms(terms);
}
double AreaItem::um2() const {
  return sum_terms(terms);
}

double Breakdown::total() const {
  double s = 0;
  for (double v : pj) s += v;
  return s;
}

Term CostModel::tech(const char* key, const Figure& f, double coefficient) const {
  return {std::string("tech:") + key, f.value, coefficient};
}

Term CostModel::design(const char* key, double value, double coefficient) const {
  return {std::string("design:") + key, value, coefficient};
}

Term CostModel::table(const BufferMacro& b, const char* field, double value,
                      double coefficient) const {
  char key[160];
  std::snprintf(key, sizeof key, "table:%s/%.0fB/%.0fb/%s/%s", b.cell.c_str(), b.bank_bytes,
                b.word_bits, b.ports == 1 ? "1RW" : "1R1W", field);
  return {key, value, coefficient};
}

BufferMacro CostModel::buffer_macro(const std::string& name, const config::BufferConfig& cfg,
                                    const config::KeyLocations& where) const {
  BufferMacro b;
  b.name = name;
  b.banks = cfg.banks;
  b.bank_bytes = static_cast<double>(cfg.size_bytes / std::max<int64_t>(cfg.banks, 1));
  b.word_bits = static_cast<double>(cfg.word_bits);
  b.ports = static_cast<int>(cfg.ports);
  b.cell = tech_.sram.cell(tech_.process);
  b.latency_ns = static_cast<double>(cfg.latency_cycles) * 1e9 /
                 static_cast<double>(std::max<int64_t>(dp_.clock.frequency_hz, 1));
  try {
    if (b.ports > 2) throw std::out_of_range("the SRAM table has macros of one or two ports");
    b.macro = tech_.sram.loaded.macro(b.cell, b.bank_bytes, b.word_bits, b.ports);
  } catch (const std::out_of_range& e) {
    const std::string key = "buffers." + name;
    const auto it = where.find(key + ".size");
    char what[160];
    std::snprintf(what, sizeof what, "a bank of %s (%lld banks) with %.0f-bit words, %d port%s, ",
                  yaml::bytes_text(static_cast<int64_t>(b.bank_bytes)).c_str(),
                  static_cast<long long>(b.banks), b.word_bits, b.ports, b.ports == 1 ? "" : "s");
    throw InputError(
        it != where.end() ? it->second : Location{"design point '" + dp_.name + "'", 0, 0}, key,
        what + std::string("is ") + e.what());
  }
  return b;
}

void CostModel::check_dram_currents() const {
  const config::DramPower& p = dp_.dram.device.power;
  const std::pair<const char*, double> needed[] = {
      {"vdd", p.vdd},     {"idd0", p.idd0},   {"idd2n", p.idd2n}, {"idd3n", p.idd3n},
      {"idd4r", p.idd4r}, {"idd4w", p.idd4w}, {"idd5b", p.idd5b}};
  if (dp_.offchip != config::Offchip::Dram) return;
  for (const auto& [key, value] : needed)
    if (!(value > 0))
      throw InputError(Location{"DRAM preset " + dp_.dram.preset, 0, 0},
                       std::string("dram.power.") + key,
                       "missing: the DRAM energy model needs it (set it in the preset or under "
                       "dram.power in the design point)");
  if (dp_.dram.power_down == dram::PowerDownKind::Never) return;
  for (const auto& [key, value] : {std::pair<const char*, double>{"idd2p", p.idd2p},
                                   std::pair<const char*, double>{"idd3p", p.idd3p}})
    if (!(value > 0))
      throw InputError(Location{"DRAM preset " + dp_.dram.preset, 0, 0},
                       std::string("dram.power.") + key,
                       "missing: dram.power_down: idle prices power-down with it (set it in "
                       "the preset or under dram.power in the design point)");
}

CostModel::CostModel(const Technology& tech_in, const config::DesignPoint& dp,
                     const config::KeyLocations& where)
    : tech_(tech_in), dp_(dp) {
  check_dram_currents();
  buffers_ = {buffer_macro("weight", dp.buffers.weight, where),
              buffer_macro("input", dp.buffers.input, where),
              buffer_macro("output", dp.buffers.output, where)};
  build_static();
  build_area();
}

namespace {

// Counts of the design's logic, for area and leakage (gate equivalents follow from them).
struct LogicCounts {
  double cells = 0, acc_bits = 0, lanes = 0, table_bits = 0;
  bool parallel = false;
};

LogicCounts logic_counts(const config::DesignPoint& dp) {
  LogicCounts c;
  c.cells = static_cast<double>(dp.array.rows * dp.array.cols);
  // Output-stationary cells each keep an accumulator; the other dataflows one per column.
  const bool os = dp.array.dataflow == models::array::Dataflow::OutputStationary;
  c.acc_bits =
      static_cast<double>((os ? dp.array.rows * dp.array.cols : dp.array.cols) * dp.array.acc_bits);
  c.parallel = dp.array.cell == models::array::Cell::BitParallel;
  c.lanes = static_cast<double>(dp.decoder.lanes);
  if (dp.decoder.kind == config::DecoderKind::Table)
    c.table_bits = static_cast<double>(dp.decoder.table_entries) * kTableRowBits;
  return c;
}

}  // namespace

// Leakage and area both count gate equivalents: area at logic.gate_area, leakage at the
// process's logic.gate_leakage; SRAM banks come from the table.
void CostModel::build_static() {
  const LogicCounts n = logic_counts(dp_);
  const double leak = tech_.logic.gate_leakage(tech_.process).value;
  const Figure& cell = n.parallel ? tech_.array.parallel.cell_gates : tech_.array.cell_gates;
  const char* cell_key = n.parallel ? "array.parallel.cell_gates" : "array.cell_gates";
  StaticPower buffers{"buffers.leakage", Component::Leakage, {}};
  for (const BufferMacro& b : buffers_)
    buffers.terms.push_back(
        table(b, "leakage_uw", b.macro.leakage_uw, static_cast<double>(b.banks)));
  static_ = {
      {"array.leakage",
       Component::Leakage,
       {tech(cell_key, cell, n.cells * leak),
        tech("array.accumulator_gates_bit", tech_.array.accumulator_gates_bit, n.acc_bits * leak)}},
      buffers,
      {"decoder.leakage",
       Component::Leakage,
       {tech("decoder.lane_gates", tech_.decoder.lane_gates, n.lanes * leak),
        tech("decoder.table_gates_bit", tech_.decoder.table_gates_bit, n.table_bits * leak)}},
  };
  if (dp_.offchip != config::Offchip::Dram) return;
  // uW: mA x V = mW.
  const config::DramPower& p = dp_.dram.device.power;
  const config::DramOrg& o = dp_.dram.device.org;
  const double devices = static_cast<double>(o.channels * o.ranks * (o.bus_width / o.device_width));
  static_.push_back({"dram.background",
                     Component::Dram,
                     {design("dram.power.idd2n", p.idd2n, p.vdd * devices * 1000.0),
                      design("dram.power.ipp", p.ipp, p.vpp * devices * 1000.0)}});
}

void CostModel::build_area() {
  const LogicCounts n = logic_counts(dp_);
  const double ge = tech_.logic.gate_area.value;
  const Figure& cell = n.parallel ? tech_.array.parallel.cell_gates : tech_.array.cell_gates;
  const char* cell_key = n.parallel ? "array.parallel.cell_gates" : "array.cell_gates";
  area_ = {
      {"array",
       {tech(cell_key, cell, n.cells * ge),
        tech("array.accumulator_gates_bit", tech_.array.accumulator_gates_bit, n.acc_bits * ge)}}};
  for (const BufferMacro& b : buffers_)
    area_.push_back({"buffers." + b.name,
                     {table(b, "area_um2", b.macro.area_um2, static_cast<double>(b.banks))}});
  area_.push_back(
      {"decoder",
       {tech("decoder.lane_gates", tech_.decoder.lane_gates, n.lanes * ge),
        tech("decoder.table_gates_bit", tech_.decoder.table_gates_bit, n.table_bits * ge)}});
}

double CostModel::area_mm2() const {
  double um2 = 0;
  for (const AreaItem& a : area_) um2 += a.um2();
  return um2 / 1e6;
}

namespace {

double param_of(const stats::EnergyEvent& e, const char* name) {
  for (const auto& [k, v] : e.params)
    if (k == name) return v;
  throw RunError("energy event '" + e.kind + "' does not declare its parameter '" + name + "'");
}

}  // namespace

Price CostModel::price_sram(const stats::EnergyEvent& e, bool read) const {
  BufferMacro b;
  b.bank_bytes = param_of(e, "bank_bytes");
  b.word_bits = param_of(e, "word_bits");
  b.ports = static_cast<int>(param_of(e, "ports"));
  b.cell = tech_.sram.cell(tech_.process);
  // The design's buffers were looked up once, when the model was built.
  for (const BufferMacro& known : buffers_)
    if (known.bank_bytes == b.bank_bytes && known.word_bits == b.word_bits &&
        known.ports == b.ports)
      return {Component::Buffers,
              {read ? table(known, "read_pj", known.macro.read_pj, 1)
                    : table(known, "write_pj", known.macro.write_pj, 1)}};
  try {
    b.macro = tech_.sram.loaded.macro(b.cell, b.bank_bytes, b.word_bits, b.ports);
  } catch (const std::out_of_range& x) {
    throw RunError(std::string("an SRAM bank the cost model was not built for: ") + x.what());
  }
  return {
      Component::Buffers,
      {read ? table(b, "read_pj", b.macro.read_pj, 1) : table(b, "write_pj", b.macro.write_pj, 1)}};
}

// Scaling by a multiplier (requantization, an add's rescaling): an acc x mult-bit multiply, a
// rounding add and a barrel shift over the product, and for a rescale the add into the sum.
Price CostModel::price_logic(const stats::EnergyEvent& e) const {
  const LogicTech& l = tech_.logic;
  const bool requant = e.kind == "array.requantize";
  const double in = param_of(e, requant ? "acc_bits" : "act_bits");
  const double mult = param_of(e, "mult_bits");
  return {Component::Array,
          {tech("logic.multiplier_bit", l.multiplier_bit, in * mult),
           tech("logic.adder_bit", l.adder_bit, (requant ? 1 : 2) * (in + mult)),
           tech("logic.shifter_bit", l.shifter_bit, in + mult)}};
}

Price CostModel::price(const stats::EnergyEvent& e) const {
  auto param = [&](const char* name) { return param_of(e, name); };
  const std::string& k = e.kind;
  const ArrayTech& a = tech_.array;
  const LogicTech& l = tech_.logic;
  if (k == "sram.read" || k == "sram.write") return price_sram(e, k == "sram.read");
  if (k == "decoder.table_lookup") {
    const double c = std::pow(param("table_entries") / tech_.decoder.table_reference_entries.value,
                              tech_.decoder.size_exponent.value);
    return {Component::Decoder, {tech("decoder.table_lookup", tech_.decoder.table_lookup, c)}};
  }
  if (k == "decoder.unit")
    return {Component::Decoder, {tech("decoder.unit", tech_.decoder.unit, 1)}};
  if (k == "array.bit_step.ternary")
    return {Component::Array, {tech("array.bit_step_ternary", a.bit_step_ternary, 1)}};
  if (k == "array.bit_step.kbit")
    return {Component::Array, {tech("array.bit_step_kbit", a.bit_step_kbit, 1)}};
  if (k == "array.bit_step.int8")
    return {Component::Array, {tech("array.bit_step_int8", a.bit_step_int8, 1)}};
  if (k == "array.cell_cycle")
    return {Component::Array, {tech("array.cell_cycle", a.cell_cycle, 1)}};
  // Bit-parallel figures are at 8-bit activations; a multiplier's partial products (and an
  // adder's width) grow linearly with the activation bits.
  if (k == "array.parallel.mac_ternary")
    return {Component::Array,
            {tech("array.parallel.mac_ternary", a.parallel.mac_ternary, param("act_bits") / 8)}};
  if (k == "array.parallel.mac_kbit")
    return {Component::Array,
            {tech("array.parallel.mac_kbit", a.parallel.mac_kbit, param("act_bits") / 8)}};
  if (k == "array.parallel.mac_int8")
    return {Component::Array,
            {tech("array.parallel.mac_int8", a.parallel.mac_int8, param("act_bits") / 8)}};
  if (k == "array.parallel.cell_cycle")
    return {Component::Array, {tech("array.parallel.cell_cycle", a.parallel.cell_cycle, 1)}};
  if (k == "array.requantize" || k == "vector.rescale") return price_logic(e);
  if (k == "array.weight_shift_bit")
    return {Component::Array, {tech("logic.register_bit", l.register_bit, 1)}};
  if (k == "array.accumulate") {
    const double bits = param("acc_bits");
    return {Component::Array,
            {tech("logic.adder_bit", l.adder_bit, bits),
             tech("logic.register_bit", l.register_bit, bits)}};
  }
  if (k == "array.psum_add")
    return {Component::Array, {tech("logic.adder_bit", l.adder_bit, param("acc_bits"))}};
  if (k == "io.bit") return {Component::Io, {tech("io.pad_bit", tech_.io.pad_bit, 1)}};
  if (k == "vector.move")  // a lane register takes the value
    return {Component::Array, {tech("logic.register_bit", l.register_bit, param("act_bits"))}};
  if (k == "array.pool_op")
    return {Component::Array, {tech("logic.adder_bit", l.adder_bit, param("act_bits"))}};
  return price_dram(k);
}

// DRAM commands from datasheet currents (the DRAMPower method): the current above the standby
// current it replaces, over the command's duration, at VDD, in every device of a rank.
Price CostModel::price_dram(const std::string& k) const {
  const config::DramPower& p = dp_.dram.device.power;
  const config::DramOrg& o = dp_.dram.device.org;
  const config::DramTiming& t = dp_.dram.device.timing;
  const double tck_ns = 1e9 / static_cast<double>(t.clock_hz);
  const double per_rank = static_cast<double>(o.bus_width / o.device_width);
  const double scale = p.vdd * per_rank * tck_ns;  // mA x ns x V = pJ, per cycle of duration
  const double burst = static_cast<double>(o.burst_length) / 2.0;  // double data rate
  const double burst_bits = static_cast<double>(o.bus_width * o.burst_length);
  auto current = [&](const char* key, double value, double cycles) {
    return design(key, value, cycles * scale);
  };
  // The second supply's current above its standby one, where the preset gives it.
  const double scale_pp = p.vpp * per_rank * tck_ns;
  auto second = [&](std::vector<Term> terms, const char* key, double value, double cycles) {
    if (value > 0 && p.vpp > 0) {
      terms.push_back(design(key, value, cycles * scale_pp));
      terms.push_back(design("dram.power.ipp", p.ipp, -cycles * scale_pp));
    }
    return terms;
  };
  const double tras = static_cast<double>(t.tRAS), trp = static_cast<double>(t.tRP),
               trfc = static_cast<double>(t.tRFC);
  if (k == "dram.activate")
    return {Component::Dram, second({current("dram.power.idd0", p.idd0, tras),
                                     current("dram.power.idd3n", p.idd3n, -tras)},
                                    "dram.power.ipp0", p.ipp0, tras)};
  if (k == "dram.precharge")
    return {Component::Dram, second({current("dram.power.idd0", p.idd0, trp),
                                     current("dram.power.idd2n", p.idd2n, -trp)},
                                    "dram.power.ipp0", p.ipp0, trp)};
  if (k == "dram.read")
    return {
        Component::Dram,
        {current("dram.power.idd4r", p.idd4r, burst), current("dram.power.idd3n", p.idd3n, -burst),
         tech("dram.io_per_bit", tech_.dram.io_per_bit, burst_bits)}};
  if (k == "dram.write")
    return {
        Component::Dram,
        {current("dram.power.idd4w", p.idd4w, burst), current("dram.power.idd3n", p.idd3n, -burst),
         tech("dram.io_per_bit", tech_.dram.io_per_bit, burst_bits)}};
  if (k == "dram.refresh")
    return {Component::Dram, second({current("dram.power.idd5b", p.idd5b, trfc),
                                     current("dram.power.idd3n", p.idd3n, -trfc)},
                                    "dram.power.ipp5b", p.ipp5b, trfc)};
  if (k == "dram.active_standby")
    return {Component::Dram,
            {current("dram.power.idd3n", p.idd3n, 1), current("dram.power.idd2n", p.idd2n, -1)}};
  // Power-down replaces the standby current of its state: IDD2P for IDD2N, IDD3P for IDD3N
  // (the background and active standby already count the latter), per rank-cycle.
  if (k == "dram.precharge_powerdown")
    return {Component::Dram,
            {current("dram.power.idd2p", p.idd2p, 1), current("dram.power.idd2n", p.idd2n, -1)}};
  if (k == "dram.active_powerdown")
    return {Component::Dram,
            {current("dram.power.idd3p", p.idd3p, 1), current("dram.power.idd3n", p.idd3n, -1)}};
  throw RunError("the cost model has no energy for event '" + k + "'");
}

DramStates CostModel::dram_states(const Energy& e) const {
  DramStates st;
  if (dp_.offchip != config::Offchip::Dram) return st;
  double active = 0, down_pre = 0, down_act = 0;  // rank-cycles
  for (const PricedEvent& p : e.events) {
    if (p.event == "dram.active_standby") active += p.count;
    if (p.event == "dram.precharge_powerdown") down_pre += p.count;
    if (p.event == "dram.active_powerdown") down_act += p.count;
  }
  const config::DramPower& p = dp_.dram.device.power;
  const config::DramOrg& o = dp_.dram.device.org;
  const double clock = static_cast<double>(dp_.dram.device.timing.clock_hz);
  const double rank_cycles = e.seconds * clock * static_cast<double>(o.channels * o.ranks);
  // pJ per rank-cycle at a VDD current, with the second supply's standby current beside it.
  const double per = 1e9 / clock * static_cast<double>(o.bus_width / o.device_width);
  auto at = [&](double idd) { return (idd * p.vdd + p.ipp * p.vpp) * per; };
  st.precharged = (rank_cycles - active - down_pre) * at(p.idd2n);
  st.active = (active - down_act) * at(p.idd3n);
  st.powerdown_precharged = down_pre * at(p.idd2p);
  st.powerdown_active = down_act * at(p.idd3p);
  return st;
}

Energy CostModel::energy(const std::vector<stats::Record>& counters, double seconds) const {
  Energy e;
  e.seconds = seconds;
  for (const stats::Record& r : counters) {
    if (!r.counter || r.event.empty()) continue;
    PricedEvent p{r.full_name(), r.event.kind, r.value, price(r.event)};
    e.breakdown[p.price.component] += p.energy_pj();
    e.events.push_back(std::move(p));
  }
  for (const StaticPower& s : static_) e.breakdown[s.component] += s.microwatts() * seconds * 1e6;
  return e;
}

}  // namespace trine::cost
