#include "sim/cost/cost_model.hpp"

#include <cmath>

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

CostModel::CostModel(const Technology& tech_in, const config::DesignPoint& dp)
    : tech_(tech_in), dp_(dp) {
  const config::DramPower& p = dp.dram.device.power;
  const std::pair<const char*, double> needed[] = {
      {"vdd", p.vdd},     {"idd0", p.idd0},   {"idd2n", p.idd2n}, {"idd3n", p.idd3n},
      {"idd4r", p.idd4r}, {"idd4w", p.idd4w}, {"idd5b", p.idd5b}};
  const bool has_dram = dp.offchip == config::Offchip::Dram;
  for (const auto& [key, value] : needed)
    if (has_dram && !(value > 0))
      throw InputError(Location{"DRAM preset " + dp.dram.preset, 0, 0},
                       std::string("dram.power.") + key,
                       "missing: the DRAM energy model needs it (set it in the preset or under "
                       "dram.power in the design point)");

  const double cells = static_cast<double>(dp.array.rows * dp.array.cols);
  // Output-stationary cells each keep an accumulator; the other dataflows one per column.
  const bool os = dp.array.dataflow == models::array::Dataflow::OutputStationary;
  const double acc_bits =
      static_cast<double>((os ? dp.array.rows * dp.array.cols : dp.array.cols) * dp.array.acc_bits);
  const bool parallel = dp.array.cell == models::array::Cell::BitParallel;
  const Figure& cell_leakage =
      parallel ? tech_.array.parallel.cell_leakage : tech_.array.cell_leakage;
  const Figure& cell_area = parallel ? tech_.array.parallel.cell_area : tech_.array.cell_area;
  const char* leakage_key = parallel ? "array.parallel.cell_leakage" : "array.cell_leakage";
  const char* area_key = parallel ? "array.parallel.cell_area" : "array.cell_area";
  const bool table = dp.decoder.kind == config::DecoderKind::Table;
  const double table_bits =
      table ? static_cast<double>(dp.decoder.table_entries) * kTableRowBits : 0.0;
  const double lanes = static_cast<double>(dp.decoder.lanes);
  const double kib =
      static_cast<double>(dp.buffers.weight.size_bytes + dp.buffers.input.size_bytes +
                          dp.buffers.output.size_bytes) /
      1024.0;
  const config::DramOrg& o = dp.dram.device.org;
  const double devices = static_cast<double>(o.channels * o.ranks * (o.bus_width / o.device_width));

  // uW: mA x V = mW.
  static_ = {
      {"array.leakage",
       Component::Leakage,
       {tech(leakage_key, cell_leakage, cells),
        tech("array.accumulator_leakage_bit", tech_.array.accumulator_leakage_bit, acc_bits)}},
      {"buffers.leakage",
       Component::Leakage,
       {tech("sram.leakage_per_kib", tech_.sram.leakage_per_kib, kib)}},
      {"decoder.leakage",
       Component::Leakage,
       {tech("decoder.lane_leakage", tech_.decoder.lane_leakage, lanes),
        tech("decoder.table_leakage_bit", tech_.decoder.table_leakage_bit, table_bits)}},
  };
  if (has_dram)
    static_.push_back({"dram.background",
                       Component::Dram,
                       {design("dram.power.idd2n", p.idd2n, p.vdd * devices * 1000.0),
                        design("dram.power.ipp", p.ipp, p.vpp * devices * 1000.0)}});
  area_ = {
      {"array",
       {tech(area_key, cell_area, cells),
        tech("array.accumulator_area_bit", tech_.array.accumulator_area_bit, acc_bits)}},
      {"buffers.weight",
       {tech("sram.area_per_kib", tech_.sram.area_per_kib,
             static_cast<double>(dp.buffers.weight.size_bytes) / 1024.0)}},
      {"buffers.input",
       {tech("sram.area_per_kib", tech_.sram.area_per_kib,
             static_cast<double>(dp.buffers.input.size_bytes) / 1024.0)}},
      {"buffers.output",
       {tech("sram.area_per_kib", tech_.sram.area_per_kib,
             static_cast<double>(dp.buffers.output.size_bytes) / 1024.0)}},
      {"decoder",
       {tech("decoder.lane_area", tech_.decoder.lane_area, lanes),
        tech("decoder.table_area_bit", tech_.decoder.table_area_bit, table_bits)}},
  };
}

double CostModel::area_mm2() const {
  double um2 = 0;
  for (const AreaItem& a : area_) um2 += a.um2();
  return um2 / 1e6;
}

Price CostModel::price(const stats::EnergyEvent& e) const {
  auto param = [&](const char* name) {
    for (const auto& [k, v] : e.params)
      if (k == name) return v;
    throw RunError("energy event '" + e.kind + "' does not declare its parameter '" + name + "'");
  };
  const std::string& k = e.kind;
  const ArrayTech& a = tech_.array;
  const LogicTech& l = tech_.logic;
  if (k == "sram.read" || k == "sram.write") {
    const double size = param("bank_bytes") / (tech_.sram.reference_size.value * 1024.0);
    const double c = param("word_bits") / 64.0 * std::pow(size, tech_.sram.size_exponent.value);
    return {Component::Buffers,
            {k == "sram.read" ? tech("sram.read_64b", tech_.sram.read_64b, c)
                              : tech("sram.write_64b", tech_.sram.write_64b, c)}};
  }
  if (k == "decoder.table_lookup") {
    const double c = std::pow(param("table_entries") / tech_.decoder.table_reference_entries.value,
                              tech_.sram.size_exponent.value);
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
  if (k == "array.requantize")
    return {Component::Array, {tech("array.requantize", a.requantize, 1)}};
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
  if (k == "vector.rescale")
    return {Component::Array, {tech("vector.rescale", tech_.vector.rescale, 1)}};
  if (k == "vector.move")  // a lane register takes the value
    return {Component::Array, {tech("logic.register_bit", l.register_bit, param("act_bits"))}};
  if (k == "array.pool_op")
    return {Component::Array, {tech("logic.adder_bit", l.adder_bit, param("act_bits"))}};

  // DRAM commands from datasheet currents (the DRAMPower method): the current above the
  // standby current it replaces, over the command's duration, at VDD, in every device of a rank.
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
  const double tras = static_cast<double>(t.tRAS), trp = static_cast<double>(t.tRP),
               trfc = static_cast<double>(t.tRFC);
  if (k == "dram.activate")
    return {
        Component::Dram,
        {current("dram.power.idd0", p.idd0, tras), current("dram.power.idd3n", p.idd3n, -tras)}};
  if (k == "dram.precharge")
    return {Component::Dram,
            {current("dram.power.idd0", p.idd0, trp), current("dram.power.idd2n", p.idd2n, -trp)}};
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
    return {
        Component::Dram,
        {current("dram.power.idd5b", p.idd5b, trfc), current("dram.power.idd3n", p.idd3n, -trfc)}};
  if (k == "dram.active_standby")
    return {Component::Dram,
            {current("dram.power.idd3n", p.idd3n, 1), current("dram.power.idd2n", p.idd2n, -1)}};
  throw RunError("the cost model has no energy for event '" + k + "'");
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
