#pragma once
// The cost model: energy is the sum over counted events of count x energy per event, plus
// static power (on-chip leakage, DRAM background) over the run time; area sums the components.
// Every energy per event is a sum of terms `value x coefficient`, where the value is one figure
// of the technology file or of the DRAM preset and the coefficient comes from the design (a
// bank's size and word width, the accumulator width, a DRAM timing): reports print the terms,
// so any figure can be recomputed from the report and the input files alone.
#include <string>
#include <vector>

#include "sim/config/design_point.hpp"
#include "sim/config/schema_io.hpp"
#include "sim/cost/technology.hpp"
#include "sim/stats/stats.hpp"

namespace trine::cost {

// Where a report's energy goes.
// Io: the chip's I/O to a host (offchip: io); like DRAM, not on chip.
enum class Component { Dram, Buffers, Decoder, Array, Leakage, Io };
constexpr int kComponents = 6;
const char* component_name(Component c);  // "dram", "buffers", ...

// value x coefficient; `key` names the value: "tech:sram.read_64b" or "design:dram.power.idd0".
struct Term {
  std::string key;
  double value = 0;
  double coefficient = 0;
  double product() const { return value * coefficient; }
};

// One energy event kind as the cost model prices it for this design (pJ per count).
struct Price {
  Component component = Component::Array;
  std::vector<Term> terms;
  double each() const;
};

// A counter over some window, priced.
struct PricedEvent {
  std::string counter;  // "top.wbuf.bank0.reads"
  std::string event;    // "sram.read"
  double count = 0;
  Price price;
  double energy_pj() const { return count * price.each(); }
};

// A power drawn all the time (uW per term product), charged over the run time.
struct StaticPower {
  std::string name;  // "array.leakage", "dram.background"
  Component component = Component::Leakage;
  std::vector<Term> terms;
  double microwatts() const;
};

struct AreaItem {
  std::string name;         // "array", "buffers.weight", ...
  std::vector<Term> terms;  // um2
  double um2() const;
};

struct Breakdown {
  double pj[kComponents] = {0, 0, 0, 0, 0, 0};
  double& operator[](Component c) { return pj[static_cast<int>(c)]; }
  double operator[](Component c) const { return pj[static_cast<int>(c)]; }
  double total() const;
};

struct Energy {
  std::vector<PricedEvent> events;  // counters with an energy event, in collection order
  double seconds = 0;               // the window's length
  Breakdown breakdown;
};

// The DRAM's background energy of a window (pJ) by the state its ranks were in: precharged
// and active standby, precharge and active power-down. It is the static background plus the
// standby and power-down events, split by the rank-cycles each state took.
struct DramStates {
  double precharged = 0, active = 0, powerdown_precharged = 0, powerdown_active = 0;
  double total() const { return precharged + active + powerdown_precharged + powerdown_active; }
};

// One buffer's banks as SRAM macros of the technology's table.
struct BufferMacro {
  std::string name;  // "weight", "input", "output"
  int64_t banks = 0;
  double bank_bytes = 0, word_bits = 0;
  int ports = 1;
  std::string cell;       // the table's cell type for the process
  SramMacro macro;        // one bank
  double latency_ns = 0;  // what the design point gives it: latency_cycles at the clock
};

class CostModel {
 public:
  // Checks that the DRAM preset gives the currents the DRAM energies need, and that every
  // buffer bank lies within the technology's SRAM table (InputErrors, located with `where`,
  // the design point's key locations, when given).
  CostModel(const Technology& tech, const config::DesignPoint& dp,
            const config::KeyLocations& where = {});

  const Technology& technology() const { return tech_; }
  // The price of `event` kind as a record declares it; an event the model cannot price is a
  // RunError (a counted event is never free by omission).
  Price price(const stats::EnergyEvent& event) const;
  // Energy of the counters of one window of `seconds`.
  Energy energy(const std::vector<stats::Record>& counters, double seconds) const;
  const std::vector<StaticPower>& static_power() const { return static_; }
  const std::vector<AreaItem>& area() const { return area_; }
  double area_mm2() const;
  const std::vector<BufferMacro>& buffers() const { return buffers_; }
  // Zero without a DRAM (offchip: io).
  DramStates dram_states(const Energy& e) const;

 private:
  Term tech(const char* key, const Figure& f, double coefficient) const;
  Term design(const char* key, double value, double coefficient) const;
  // A figure of the SRAM table, `field` of the macro of a bank (read_pj, leakage_uw, ...).
  Term table(const BufferMacro& b, const char* field, double value, double coefficient) const;
  BufferMacro buffer_macro(const std::string& name, const config::BufferConfig& cfg,
                           const config::KeyLocations& where) const;
  void check_dram_currents() const;
  void build_static();
  void build_area();
  Price price_sram(const stats::EnergyEvent& e, bool read) const;
  Price price_logic(const stats::EnergyEvent& e) const;
  Price price_dram(const std::string& kind) const;
  const Technology tech_;
  const config::DesignPoint dp_;
  std::vector<BufferMacro> buffers_;
  std::vector<StaticPower> static_;
  std::vector<AreaItem> area_;
};

}  // namespace trine::cost
