#include <catch2/catch.hpp>

#include <cmath>
#include <regex>

#include "sim/config/design_point.hpp"
#include "sim/config/schema_io.hpp"
#include "sim/cost/cost_model.hpp"
#include "sim/cost/technology.hpp"
#include "sim/util/embedded.hpp"

using namespace trine;
using cost::Component;

namespace {

std::string tech_text() {
  const embedded::File* f = embedded::find("configs/tech/40nm.yaml");
  REQUIRE(f != nullptr);
  return f->text;
}

// The 40nm file with `key`'s value (a `value:` line under a figure) replaced.
std::string with_value(const std::string& figure, const std::string& value) {
  std::string t = tech_text();
  const size_t at = t.find("  " + figure + ":\n");
  REQUIRE(at != std::string::npos);
  const size_t v = t.find("value: ", at);
  const size_t end = t.find('\n', v);
  return t.substr(0, v) + "value: " + value + t.substr(end);
}

std::string error_of(const std::string& text) {
  try {
    cost::parse_technology(text, "t.yaml");
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no error)";
}

stats::Record counter(const std::string& name, double count, stats::EnergyEvent e) {
  stats::Record r;
  r.path = "top";
  r.name = name;
  r.value = count;
  r.counter = true;
  r.event = std::move(e);
  return r;
}

}  // namespace

TEST_CASE("the 40nm technology file gives every figure a value and a source", "[cost]") {
  const cost::Technology t = cost::parse_technology(tech_text(), "40nm.yaml");
  CHECK(t.name == "40nm");
  CHECK(t.sram.read_64b.value == Approx(8.9));
  CHECK(t.logic.adder_bit.source.find("Horowitz") == std::string::npos);  // cites by tag
  CHECK(t.logic.adder_bit.source.find("H14") != std::string::npos);
  // Every figure: a value with a unit and a nonempty source.
  const std::string text = tech_text();
  const std::regex value_line("\n +value: ([0-9.]+)( [A-Za-z0-9]+)?\n");
  int figures = 0;
  for (auto it = std::sregex_iterator(text.begin(), text.end(), value_line);
       it != std::sregex_iterator(); ++it) {
    ++figures;
    CHECK(std::stod((*it)[1]) > 0);
  }
  // ... one for each figure the schema declares.
  cost::Technology schema;
  const std::string keys = config::list_keys([&](config::FieldVisitor& v) { schema.describe(v); });
  int declared = 0;
  for (size_t at = keys.find(".value\t"); at != std::string::npos;
       at = keys.find(".value\t", at + 1))
    ++declared;
  CHECK(declared > 20);
  CHECK(figures == declared);
}

TEST_CASE("technology files: missing, unknown and badly typed figures are located errors",
          "[cost]") {
  std::string t = tech_text();
  const size_t at = t.find("  requantize:\n");
  const size_t next = t.find("  cell_area:\n");
  CHECK(error_of(t.substr(0, at) + t.substr(next)) ==
        "t.yaml: array.requantize.value: missing: a technology file gives every energy, leakage "
        "and area with its source (none defaults to zero)");
  CHECK(error_of(with_value("adder_bit", "0.0033 nJ"))
            .find("logic.adder_bit.value: expected a number of pJ") != std::string::npos);
  CHECK(error_of(with_value("adder_bit", "-1 pJ"))
            .find("logic.adder_bit.value: -1 pJ is out of range") != std::string::npos);
  std::string typo = tech_text();
  typo.replace(typo.find("  read_64b:"), 11, "  read_46b:");
  CHECK(error_of(typo).rfind("t.yaml:", 0) == 0);
  CHECK(error_of(typo).find("sram.read_46b: unknown key (did you mean 'read_64b'?)") !=
        std::string::npos);
  CHECK_THROWS_WITH(cost::load_technology("28nm", Location{"dp.yaml", 7, 7}),
                    "dp.yaml:7:7: tech: '28nm' is not one of: 40nm (or a path to a technology "
                    ".yaml) (did you mean '40nm'?)");
}

TEST_CASE("event prices follow the technology file and the design", "[cost]") {
  const cost::Technology t = cost::parse_technology(tech_text(), "40nm.yaml");
  config::DesignPoint dp = config::default_design_point().point;
  const cost::CostModel m(t, dp);
  auto sram = [&](double bank, double bits) {
    return m.price({"sram.read", {{"bank_bytes", bank}, {"word_bits", bits}}}).each();
  };
  CHECK(sram(8192, 64) == Approx(8.9));
  CHECK(sram(32768, 64) == Approx(2 * 8.9));  // square root of the size (Horowitz: 10 -> 20 pJ)
  CHECK(sram(8192, 128) == Approx(2 * 8.9));  // linear in the width
  CHECK(m.price({"sram.read", {{"bank_bytes", 8192}, {"word_bits", 64}}}).component ==
        Component::Buffers);
  CHECK(m.price({"decoder.table_lookup", {{"table_entries", 1024}}}).each() == Approx(2 * 0.56));
  CHECK(m.price({"array.accumulate", {{"acc_bits", 32}}}).each() == Approx(32 * (0.0033 + 0.0033)));
  // The vector unit: an add's term; a value concat or shift copies (a lane register).
  CHECK(m.price({"vector.rescale", {}}).each() == Approx(0.89));
  CHECK(m.price({"vector.move", {{"act_bits", 8}}}).each() == Approx(8 * 0.0033));
  // DRAMPower: ACT = (IDD0 - IDD3N) x tRAS x VDD per device; DDR4-2400: 39 cycles at 1200 MHz,
  // 8 devices of 8 bits on a 64-bit bus.
  const double tck = 1e9 / 1200e6;
  CHECK(m.price({"dram.activate", {}}).each() == Approx((48 - 43) * 39 * tck * 1.2 * 8));
  CHECK(m.price({"dram.read", {}}).each() ==
        Approx((135 - 43) * 4 * tck * 1.2 * 8 + 3.75 * 64 * 8));
  CHECK(m.price({"dram.refresh", {}}).each() == Approx((250 - 43) * 420 * tck * 1.2 * 8));
  CHECK_THROWS_WITH(m.price({"array.teleport", {}}),
                    "the cost model has no energy for event 'array.teleport'");
  CHECK_THROWS_AS(m.price({"sram.read", {{"word_bits", 64}}}), RunError);
}

TEST_CASE("energy is counts times prices plus static power over time", "[cost]") {
  const cost::Technology t = cost::parse_technology(tech_text(), "40nm.yaml");
  const config::DesignPoint dp = config::default_design_point().point;
  const cost::CostModel m(t, dp);
  const std::vector<stats::Record> counters = {
      counter("a", 1000, {"array.bit_step.int8", {}}),
      counter("b", 10, {"sram.write", {{"bank_bytes", 16384}, {"word_bits", 64}}}),
      counter("c", 7, {"dram.write", {}}),
      counter("bytes", 123, {}),  // no event: costs nothing by itself
  };
  const cost::Energy e = m.energy(counters, 2e-6);
  REQUIRE(e.events.size() == 3);
  double leak = 0, background = 0;
  for (const cost::StaticPower& s : m.static_power())
    (s.component == Component::Dram ? background : leak) += s.microwatts() * 2e-6 * 1e6;
  CHECK(e.breakdown[Component::Array] == Approx(1000 * 0.040));
  CHECK(e.breakdown[Component::Buffers] == Approx(10 * 8.9 * std::sqrt(2.0)));
  CHECK(e.breakdown[Component::Dram] ==
        Approx(7 * m.price({"dram.write", {}}).each() + background));
  CHECK(e.breakdown[Component::Leakage] == Approx(leak));
  CHECK(e.breakdown[Component::Decoder] == 0);
  // DRAM background: IDD2N x VDD + IPP x VPP in each of the 8 devices.
  CHECK(background == Approx((34 * 1.2 + 3 * 2.5) * 8 * 1000 * 2e-6 * 1e6));
}

TEST_CASE("doubling one figure changes exactly the components that use it", "[cost]") {
  const config::DesignPoint dp = config::default_design_point().point;
  const std::vector<stats::Record> counters = {
      counter("steps", 5000, {"array.bit_step.ternary", {}}),
      counter("reads", 300, {"sram.read", {{"bank_bytes", 16384}, {"word_bits", 64}}}),
      counter("lookups", 40, {"decoder.table_lookup", {{"table_entries", 256}}}),
      counter("acts", 3, {"dram.activate", {}}),
  };
  const cost::Technology base_t = cost::parse_technology(tech_text(), "40nm.yaml");
  const cost::Energy base = cost::CostModel(base_t, dp).energy(counters, 1e-6);
  struct Case {
    const char* figure;
    const char* doubled;
    Component changes;
  } cases[] = {{"bit_step_ternary", "0.040 pJ", Component::Array},
               {"read_64b", "17.8 pJ", Component::Buffers},
               {"table_lookup", "1.12 pJ", Component::Decoder},
               {"cell_leakage", "0.05 uW", Component::Leakage}};
  for (const Case& c : cases) {
    const cost::Technology t = cost::parse_technology(with_value(c.figure, c.doubled), "x.yaml");
    const cost::Energy e = cost::CostModel(t, dp).energy(counters, 1e-6);
    for (int k = 0; k < cost::kComponents; ++k) {
      const Component comp = static_cast<Component>(k);
      INFO(c.figure << " component " << cost::component_name(comp));
      if (comp == c.changes)
        CHECK(e.breakdown[comp] > base.breakdown[comp]);
      else
        CHECK(e.breakdown[comp] == base.breakdown[comp]);
    }
  }
}

TEST_CASE("a DRAM preset without the currents the energy model needs is an input error", "[cost]") {
  const cost::Technology t = cost::parse_technology(tech_text(), "40nm.yaml");
  config::DesignPoint dp = config::default_design_point().point;
  dp.dram.device.power.idd4w = 0;
  CHECK_THROWS_WITH(cost::CostModel(t, dp),
                    "DRAM preset DDR4-2400: dram.power.idd4w: missing: the DRAM energy model "
                    "needs it (set it in the preset or under dram.power in the design point)");
}
