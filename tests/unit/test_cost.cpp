#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <regex>

#include "sim/config/design_point.hpp"
#include "sim/config/schema_io.hpp"
#include "sim/cost/cost_model.hpp"
#include "sim/cost/technology.hpp"
#include "sim/util/embedded.hpp"

#include <yaml-cpp/yaml.h>

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

// Parsed as an embedded file, so that its SRAM table is the embedded one beside it.
constexpr const char* kEmbedded = "<embedded>/configs/tech/t.yaml";

cost::Technology parse(const std::string& text) {
  return cost::parse_technology(text, kEmbedded);
}

std::string error_of(const std::string& text) {
  try {
    parse(text);
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

TEST_CASE("the 40nm technology file gives every figure a value, a source and a check", "[cost]") {
  cost::Technology t = parse(tech_text());
  CHECK(t.name == "40nm");
  CHECK(t.process == cost::Process::LowPower);
  CHECK(t.logic.adder_bit.source.find("Horowitz") == std::string::npos);  // cites by tag
  CHECK(t.logic.adder_bit.source.find("H14") != std::string::npos);
  const std::vector<cost::FigureRef> figures = cost::figures_of(t);
  CHECK(figures.size() > 20);
  for (const cost::FigureRef& f : figures) {
    INFO(f.key);
    CHECK(f.figure->value > 0);
    CHECK(!f.figure->source.empty());
    // Within 2x of an independent figure, or the file says why not.
    const cost::Check& c = f.figure->check;
    const double ratio = c.value > 0 ? f.figure->value / c.value : 0;
    CHECK(((ratio >= 0.5 && ratio <= 2.0) || !c.note.empty()));
    if (c.value > 0) CHECK(!c.source.empty());
  }
  // Every `value:` line of the file is a figure's or its check's.
  const std::string text = tech_text();
  const std::regex value_line("\n +value: ([0-9.]+)( [A-Za-z0-9]+)?\n");
  const auto lines = std::distance(std::sregex_iterator(text.begin(), text.end(), value_line),
                                   std::sregex_iterator());
  CHECK(lines == static_cast<long>(2 * figures.size()));
}

TEST_CASE("technology files: missing, unknown and badly typed figures are located errors",
          "[cost]") {
  std::string t = tech_text();
  const size_t at = t.find("  shifter_bit:\n");
  const size_t next = t.find("  gate_area:\n");
  CHECK(error_of(t.substr(0, at) + t.substr(next)) ==
        "<embedded>/configs/tech/t.yaml: logic.shifter_bit.value: missing: a technology file "
        "gives every energy, leakage and area with its source (none defaults to zero)");
  CHECK(error_of(with_value("adder_bit", "0.0033 nJ"))
            .find("logic.adder_bit.value: expected a number of pJ") != std::string::npos);
  CHECK(error_of(with_value("adder_bit", "-1 pJ"))
            .find("logic.adder_bit.value: -1 pJ is out of range") != std::string::npos);
  std::string typo = tech_text();
  typo.replace(typo.find("  adder_bit:"), 12, "  adder_bits:");
  CHECK(error_of(typo).find("logic.adder_bits: unknown key (did you mean 'adder_bit'?)") !=
        std::string::npos);
  CHECK(error_of(std::regex_replace(tech_text(), std::regex("process: lp"), "process: ulp"))
            .find("process: 'ulp' is not one of: lp, hp") != std::string::npos);
  CHECK_THROWS_WITH(cost::load_technology("28nm", Location{"dp.yaml", 7, 7}),
                    "dp.yaml:7:7: tech: '28nm' is not one of: 40nm (or a path to a technology "
                    ".yaml) (did you mean '40nm'?)");
}

TEST_CASE("a figure more than 2x from its check, or without one, must say why", "[cost]") {
  std::string t = tech_text();
  // The multiplier is 0.22x its check: without its note the file is refused, at the check.
  const size_t mult = t.find("  multiplier_bit:");
  const size_t note = t.find("      note: >-", mult);
  const size_t end = t.find("\n  shifter_bit:", note);
  const std::string no_note = t.substr(0, note) + "      note: \"\"" + t.substr(end);
  const std::string e = error_of(no_note);
  CHECK(e.rfind("<embedded>/configs/tech/t.yaml:", 0) == 0);
  CHECK(e.find("logic.multiplier_bit.check.note: empty: the value is 0.22x its check, outside "
               "2x either way: say why") != std::string::npos);
  // Within 2x, a note is optional.
  const size_t adder = t.find("  adder_bit:");
  const size_t adder_note = t.find("      note:", adder);
  CHECK_NOTHROW(
      parse(t.substr(0, adder_note) + "      note: \"\"" + t.substr(t.find('\n', adder_note))));
}

TEST_CASE("the SRAM table: exact at its points, interpolated between, refused outside", "[cost]") {
  const cost::Technology t = parse(tech_text());
  const cost::SramTable& table = t.sram.loaded;
  // Rows of configs/tech/sram-cacti7-40nm.csv (one bank, one read-write port).
  const cost::SramMacro p = table.macro("itrs-lop", 16384, 64, 1);
  CHECK(p.read_pj == Approx(4.683));
  CHECK(p.write_pj == Approx(3.473));
  CHECK(p.leakage_uw == Approx(542.32));
  CHECK(p.area_um2 == Approx(43543));
  CHECK(p.access_ns == Approx(0.6366));
  CHECK(p.basis == "table point 16 KiB x 64 b");
  CHECK(table.macro("itrs-hp", 8192, 128, 1).read_pj == Approx(5.408));
  CHECK(table.macro("itrs-lop", 8192, 64, 2).read_pj == Approx(3.198));  // 1R1W
  // 12 KiB: log2(12/8) = 0.585 of the way from 8 to 16 KiB; 96 bits: halfway from 64 to 128.
  const double f = std::log2(1.5);
  CHECK(table.macro("itrs-lop", 12288, 64, 1).read_pj == Approx(2.781 + f * (4.683 - 2.781)));
  CHECK(table.macro("itrs-lop", 8192, 96, 1).read_pj == Approx((2.781 + 3.134) / 2));
  const double lo = 2.781 + f * (4.683 - 2.781), hi = 3.134 + f * (5.936 - 3.134);
  CHECK(table.macro("itrs-lop", 12288, 96, 1).read_pj == Approx((lo + hi) / 2));
  CHECK(table.macro("itrs-lop", 12288, 96, 1).basis ==
        "interpolated between 8 KiB and 16 KiB x 64 and 128 b");
  CHECK_THROWS_WITH(table.macro("itrs-lop", 512, 64, 1),
                    "outside the SRAM table <embedded>/configs/tech/sram-cacti7-40nm.csv (1 KiB "
                    "to 4 MiB per bank, 64 to 256-bit words, one read-write port)");
  CHECK_THROWS_AS(table.macro("itrs-lop", 16384, 32, 1), std::out_of_range);
  CHECK_THROWS_AS(table.macro("itrs-lop", 16384, 128, 2), std::out_of_range);
  CHECK_THROWS_AS(table.macro("itrs-lop", 8.0 * 1024 * 1024, 64, 1), std::out_of_range);
}

TEST_CASE("a buffer outside the SRAM table is an input error naming its key and the range",
          "[cost]") {
  const cost::Technology t = parse(tech_text());
  config::DesignPoint dp = config::default_design_point().point;
  dp.buffers.input.size_bytes = 2048;  // 4 banks of 512 B
  config::KeyLocations where;
  where["buffers.input.size"] = Location{"dp.yaml", 9, 11};
  CHECK_THROWS_WITH(cost::CostModel(t, dp, where),
                    "dp.yaml:9:11: buffers.input: a bank of 512 B (4 banks) with 64-bit words, 1 "
                    "port, is outside the SRAM table <embedded>/configs/tech/sram-cacti7-40nm.csv "
                    "(1 KiB to 4 MiB per bank, 64 to 256-bit words, one read-write port)");
  dp.buffers.input.size_bytes = 64 * 1024;
  dp.buffers.input.ports = 3;
  CHECK_THROWS_AS(cost::CostModel(t, dp), InputError);
}

TEST_CASE("a user's technology file reads its own SRAM table beside it", "[cost]") {
  const std::string dir = "test_cost_tables";
  std::filesystem::create_directories(dir);
  std::string tech = tech_text();
  tech.replace(tech.find("sram-cacti7-40nm.csv"), 20, "mine.csv");
  std::ofstream(dir + "/mine.yaml") << tech;
  std::ofstream(dir + "/mine.csv")
      << "# one macro kind, doubled energies\n"
         "cell_type,capacity_kib,word_bits,banks,ports,read_energy_pj,write_energy_pj,"
         "leakage_mw,area_mm2,access_time_ns\n"
         "itrs-lop,1,64,1,1RW,2,2,0.1,0.01,0.5\nitrs-lop,64,64,1,1RW,8,8,1,0.1,1\n"
         "itrs-hp,1,64,1,1RW,2,2,1,0.01,0.3\n";
  const cost::Technology t = cost::load_technology(dir + "/mine.yaml", Location{"dp.yaml", 1, 7});
  CHECK(t.sram.loaded.file() == dir + "/mine.csv");
  // 8 KiB: halfway (log2) from 1 to 64 KiB.
  CHECK(t.sram.loaded.macro("itrs-lop", 8192, 64, 1).read_pj == Approx(5));
  std::ofstream(dir + "/mine.csv") << "cell_type,capacity_kib,word_bits,banks,ports,"
                                      "read_energy_pj,write_energy_pj,leakage_mw,area_mm2,"
                                      "access_time_ns\nitrs-lop,1,64,1,2RW,2,2,0.1,0.01,0.5\n";
  CHECK_THROWS_WITH(cost::load_technology(dir + "/mine.yaml", Location{"dp.yaml", 1, 7}),
                    dir + "/mine.csv:2: ports: expected 1RW or 1R1W, got '2RW'");
  std::ofstream(dir + "/mine.csv") << "cell_type,capacity_kib,word_bits,banks,ports,"
                                      "read_energy_pj,write_energy_pj,leakage_mw,area_mm2,"
                                      "access_time_ns\nitrs-lop,1,64,1.5e14,1RW,2,2,0.1,0.01,0.5\n";
  CHECK_THROWS_WITH(cost::load_technology(dir + "/mine.yaml", Location{"dp.yaml", 1, 7}),
                    dir + "/mine.csv:2: banks: expected a whole number in [1, 4096], got '1.5e14'");
  std::ofstream(dir + "/mine.csv") << "cell_type,capacity_kib,word_bits,banks,ports,"
                                      "read_energy_pj,write_energy_pj,leakage_mw,area_mm2,"
                                      "access_time_ns\nitrs-lop,1,64,1,1RW,2,2,0.1,0.01,0.5\n";
  CHECK_THROWS_WITH(cost::load_technology(dir + "/mine.yaml", Location{"dp.yaml", 1, 7}),
                    Catch::Contains("sram.cell_hp: 'itrs-hp' is no cell type of the table"));
  std::filesystem::remove(dir + "/mine.csv");
  CHECK_THROWS_WITH(cost::load_technology(dir + "/mine.yaml", Location{"dp.yaml", 1, 7}),
                    Catch::Contains("mine.csv"));
  std::filesystem::remove_all(dir);
}

TEST_CASE("event prices follow the technology file and the design", "[cost]") {
  const cost::Technology t = parse(tech_text());
  config::DesignPoint dp = config::default_design_point().point;
  const cost::CostModel m(t, dp);
  auto sram = [&](double bank, double bits) {
    return m.price({"sram.read", {{"bank_bytes", bank}, {"word_bits", bits}, {"ports", 1}}}).each();
  };
  CHECK(sram(8192, 64) == Approx(2.781));  // the table's points
  CHECK(sram(16384, 128) == Approx(5.936));
  CHECK(m.price({"sram.read", {{"bank_bytes", 8192}, {"word_bits", 64}, {"ports", 1}}}).component ==
        Component::Buffers);
  CHECK(m.price({"decoder.table_lookup", {{"table_entries", 1024}}}).each() == Approx(2 * 0.56));
  CHECK(m.price({"array.accumulate", {{"acc_bits", 32}}}).each() == Approx(32 * (0.0033 + 0.009)));
  // Requantization: a 32 x 20-bit multiply, a rounding add and a shift over the 52-bit product.
  CHECK(m.price({"array.requantize", {{"acc_bits", 32}, {"mult_bits", 20}}}).each() ==
        Approx(640 * 0.0027 + 52 * 0.0033 + 52 * 0.013));
  // An add's term: an 8 x 16-bit multiply, rounding and summing adds, a shift.
  CHECK(m.price({"vector.rescale", {{"act_bits", 8}, {"mult_bits", 16}}}).each() ==
        Approx(128 * 0.0027 + 2 * 24 * 0.0033 + 24 * 0.013));
  CHECK(m.price({"vector.move", {{"act_bits", 8}}}).each() == Approx(8 * 0.009));
  // DRAMPower: ACT = (IDD0 - IDD3N) x tRAS x VDD per device; DDR4-2400: 39 cycles at 1200 MHz,
  // 8 devices of 8 bits on a 64-bit bus.
  const double tck = 1e9 / 1200e6;
  CHECK(m.price({"dram.activate", {}}).each() == Approx((48 - 43) * 39 * tck * 1.2 * 8));
  CHECK(m.price({"dram.read", {}}).each() ==
        Approx((135 - 43) * 4 * tck * 1.2 * 8 + 3.75 * 64 * 8));
  // REF: the same over tRFC, plus the VPP supply's IPP5B above its standby IPP3N.
  CHECK(m.price({"dram.refresh", {}}).each() ==
        Approx(((250 - 43) * 1.2 + (28 - 3) * 2.5) * 420 * tck * 8));
  CHECK_THROWS_WITH(m.price({"array.teleport", {}}),
                    "the cost model has no energy for event 'array.teleport'");
  CHECK_THROWS_AS(m.price({"sram.read", {{"word_bits", 64}}}), RunError);
}

TEST_CASE("area and leakage count gate equivalents and the SRAM table's macros", "[cost]") {
  const cost::Technology t = parse(tech_text());
  const config::DesignPoint dp = config::default_design_point().point;
  const cost::CostModel m(t, dp);
  // Default: 16 x 16 bit-serial cells, 16 column accumulators of 32 bits, 4 lanes, a 256-row
  // table of 16 bits; three buffers of 4 banks of 16 KiB (64-, 64- and 128-bit words).
  const double gates = 256 * 283 + 16 * 32 * 13.7 + 4 * 331 + 256 * 16 * 5;
  const double sram_area = (2 * 43543 + 43285) * 4;
  CHECK(m.area_mm2() * 1e6 == Approx(gates * 0.63 + sram_area));
  double leakage = 0;
  for (const cost::StaticPower& s : m.static_power())
    if (s.component == Component::Leakage) leakage += s.microwatts();
  CHECK(leakage == Approx(gates * 0.00094 + (2 * 542.32 + 543.75) * 4));
  REQUIRE(m.buffers().size() == 3);
  CHECK(m.buffers()[2].macro.read_pj == Approx(5.936));
}

TEST_CASE("the process selects the leakage of gates and the SRAM cells together", "[cost]") {
  const config::DesignPoint dp = config::default_design_point().point;
  const cost::CostModel lp(parse(tech_text()), dp);
  const cost::CostModel hp(
      parse(std::regex_replace(tech_text(), std::regex("\nprocess: lp\n"), "\nprocess: hp\n")), dp);
  CHECK(hp.buffers()[0].cell == "itrs-hp");
  CHECK(hp.buffers()[0].macro.read_pj == Approx(8.278));
  auto leak = [](const cost::CostModel& m, const char* name) {
    for (const cost::StaticPower& s : m.static_power())
      if (s.name == name) return s.microwatts();
    return 0.0;
  };
  CHECK(leak(hp, "array.leakage") / leak(lp, "array.leakage") == Approx(0.012 / 0.00094));
  CHECK(leak(hp, "buffers.leakage") == Approx((2 * 6657.1 + 6918.3) * 4));
}

TEST_CASE("energy is counts times prices plus static power over time", "[cost]") {
  const cost::Technology t = parse(tech_text());
  const config::DesignPoint dp = config::default_design_point().point;
  const cost::CostModel m(t, dp);
  const std::vector<stats::Record> counters = {
      counter("a", 1000, {"array.bit_step.int8", {}}),
      counter("b", 10, {"sram.write", {{"bank_bytes", 16384}, {"word_bits", 64}, {"ports", 1}}}),
      counter("c", 7, {"dram.write", {}}),
      counter("bytes", 123, {}),  // no event: costs nothing by itself
  };
  const cost::Energy e = m.energy(counters, 2e-6);
  REQUIRE(e.events.size() == 3);
  double leak = 0, background = 0;
  for (const cost::StaticPower& s : m.static_power())
    (s.component == Component::Dram ? background : leak) += s.microwatts() * 2e-6 * 1e6;
  CHECK(e.breakdown[Component::Array] == Approx(1000 * 0.040));
  CHECK(e.breakdown[Component::Buffers] == Approx(10 * 3.473));
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
      counter("reads", 300,
              {"sram.read", {{"bank_bytes", 16384}, {"word_bits", 64}, {"ports", 1}}}),
      counter("lookups", 40, {"decoder.table_lookup", {{"table_entries", 256}}}),
      counter("acts", 3, {"dram.activate", {}}),
  };
  const cost::Technology base_t = parse(tech_text());
  const cost::Energy base = cost::CostModel(base_t, dp).energy(counters, 1e-6);
  struct Case {
    const char* figure;
    const char* doubled;
    Component changes;
  } cases[] = {{"bit_step_ternary", "0.040 pJ", Component::Array},
               {"table_lookup", "1.12 pJ", Component::Decoder},
               {"cell_gates", "566 GE", Component::Leakage},
               {"gate_leakage_lp", "0.00188 uW", Component::Leakage}};
  for (const Case& c : cases) {
    const cost::Technology t = parse(with_value(c.figure, c.doubled));
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
  const cost::Technology t = parse(tech_text());
  config::DesignPoint dp = config::default_design_point().point;
  dp.dram.device.power.idd4w = 0;
  CHECK_THROWS_WITH(cost::CostModel(t, dp),
                    "DRAM preset DDR4-2400: dram.power.idd4w: missing: the DRAM energy model "
                    "needs it (set it in the preset or under dram.power in the design point)");
}

namespace {

// A DRAM preset's currents, read from its YAML file independently of the config loader.
struct Currents {
  double vdd = 0, idd0 = 0, idd2n = 0, idd3n = 0, idd4r = 0, idd4w = 0, idd5b = 0;
  double vpp = 0, ipp = 0, ipp0 = 0, ipp5b = 0;
  double mhz = 0, tras = 0, trp = 0, trfc = 0, bus = 0, width = 0, bl = 0, channels = 0, ranks = 0;
};

double leading_number(const YAML::Node& n) {
  return n ? std::stod(n.as<std::string>()) : 0.0;
}

Currents currents_of(const std::string& preset) {
  const embedded::File* f = embedded::find("configs/dram/" + preset + ".yaml");
  REQUIRE(f != nullptr);
  const YAML::Node y = YAML::Load(f->text);
  const YAML::Node p = y["power"], t = y["timing"], o = y["org"];
  Currents c;
  c.vdd = leading_number(p["vdd"]), c.idd0 = leading_number(p["idd0"]);
  c.idd2n = leading_number(p["idd2n"]), c.idd3n = leading_number(p["idd3n"]);
  c.idd4r = leading_number(p["idd4r"]), c.idd4w = leading_number(p["idd4w"]);
  c.idd5b = leading_number(p["idd5b"]), c.vpp = leading_number(p["vpp"]);
  c.ipp = leading_number(p["ipp"]), c.ipp0 = leading_number(p["ipp0"]);
  c.ipp5b = leading_number(p["ipp5b"]), c.mhz = leading_number(t["clock"]);
  c.tras = leading_number(t["tRAS"]), c.trp = leading_number(t["tRP"]);
  c.trfc = leading_number(t["tRFC"]), c.bus = leading_number(o["bus_width"]);
  c.width = leading_number(o["device_width"]), c.bl = leading_number(o["burst_length"]);
  c.channels = leading_number(o["channels"]), c.ranks = leading_number(o["ranks"]);
  return c;
}

}  // namespace

TEST_CASE("every DRAM preset's energies are the DRAMPower method applied to its currents",
          "[cost]") {
  const cost::Technology t = parse(tech_text());
  for (const std::string& preset : config::dram_preset_names()) {
    INFO(preset);
    const Currents c = currents_of(preset);
    const config::DesignPoint dp =
        config::default_design_point({config::parse_override("dram.preset=" + preset)}).point;
    const cost::CostModel m(t, dp);
    const double tck = 1e3 / c.mhz, devices = c.bus / c.width;  // ns; devices of a rank
    // (command current - the standby current it replaces) x duration x voltage, per device.
    auto energy = [&](double idd, double base, double cycles, double vdd) {
      return (idd - base) * cycles * tck * vdd * devices;
    };
    const double pp0 = c.ipp0 > 0 ? c.ipp0 : c.ipp, pp5 = c.ipp5b > 0 ? c.ipp5b : c.ipp;
    CHECK(m.price({"dram.activate", {}}).each() ==
          Approx(energy(c.idd0, c.idd3n, c.tras, c.vdd) + energy(pp0, c.ipp, c.tras, c.vpp)));
    CHECK(m.price({"dram.precharge", {}}).each() ==
          Approx(energy(c.idd0, c.idd2n, c.trp, c.vdd) + energy(pp0, c.ipp, c.trp, c.vpp)));
    const double io = 3.75 * c.bus * c.bl;
    CHECK(m.price({"dram.read", {}}).each() ==
          Approx(energy(c.idd4r, c.idd3n, c.bl / 2, c.vdd) + io));
    CHECK(m.price({"dram.write", {}}).each() ==
          Approx(energy(c.idd4w, c.idd3n, c.bl / 2, c.vdd) + io));
    CHECK(m.price({"dram.refresh", {}}).each() ==
          Approx(energy(c.idd5b, c.idd3n, c.trfc, c.vdd) + energy(pp5, c.ipp, c.trfc, c.vpp)));
    CHECK(m.price({"dram.active_standby", {}}).each() ==
          Approx(energy(c.idd3n, c.idd2n, 1, c.vdd)));
    double background = 0;
    for (const cost::StaticPower& s : m.static_power())
      if (s.name == "dram.background") background = s.microwatts();
    CHECK(background ==
          Approx((c.idd2n * c.vdd + c.ipp * c.vpp) * devices * c.channels * c.ranks * 1000));
  }
}

TEST_CASE("with DRAMPower's DDR4 device, trine's DRAM energies are DRAMPower's", "[cost]") {
  // DRAMPower's shipped DDR4 description (MICRON_4Gb_DDR4-2400_8bit_A): IDD0 60.75, IDD2N 38.25,
  // IDD3N 44, IDD4R 184.5, IDD4W 168.75, IDD5B 118 mA at 1.2 V; tRAS 39, tRP 16, tRFC 313 of
  // 0.833 ns; no second-supply command currents. Its per-device energies, by its equations:
  // ACT (IDD0 - IDD3N) tRAS VDD, PRE (IDD0 - IDD2N) tRP VDD, REF (IDD5B - IDD3N) tRFC VDD.
  std::vector<config::Override> o;
  for (const char* kv :
       {"dram.power.idd0=60.75 mA", "dram.power.idd2n=38.25 mA", "dram.power.idd3n=44 mA",
        "dram.power.idd4r=184.5 mA", "dram.power.idd4w=168.75 mA", "dram.power.idd5b=118 mA",
        "dram.power.ipp0=0 mA", "dram.power.ipp5b=0 mA", "dram.timing.tRP=16",
        "dram.timing.tRCD=16", "dram.timing.tCL=16", "dram.timing.tRC=55", "dram.timing.tRFC=313"})
    o.push_back(config::parse_override(kv));
  const config::DesignPoint dp = config::default_design_point(o).point;
  const cost::CostModel m(parse(tech_text()), dp);
  const double tck = 1e9 / 1200e6;
  const double act = 16.75 * 39 * tck * 1.2, pre = 22.5 * 16 * tck * 1.2;
  const double ref = 74 * 313 * tck * 1.2;
  CHECK(m.price({"dram.activate", {}}).each() / 8 == Approx(act));
  CHECK(m.price({"dram.precharge", {}}).each() / 8 == Approx(pre));
  CHECK(m.price({"dram.refresh", {}}).each() / 8 == Approx(ref));
  // The preset's 8 Gb device against it: the ratios docs/cost.md explains by the currents.
  const cost::CostModel preset(parse(tech_text()), config::default_design_point().point);
  const double act_pre =
      (preset.price({"dram.activate", {}}).each() + preset.price({"dram.precharge", {}}).each()) /
      8;
  CHECK(act_pre / (act + pre) == Approx(0.43).margin(0.01));
  CHECK(preset.price({"dram.refresh", {}}).each() / 8 / ref == Approx(4.7).margin(0.05));
}

TEST_CASE("power-down replaces the standby currents, and the background splits by state",
          "[cost]") {
  const cost::Technology t = parse(tech_text());
  const config::DesignPoint dp =
      config::default_design_point({config::parse_override("dram.power_down=idle")}).point;
  const cost::CostModel m(t, dp);
  // DDR4-2400: IDD2P 25, IDD2N 34, IDD3P 37, IDD3N 43 mA at 1.2 V, 8 devices, 0.833 ns.
  const double tck = 1e9 / 1200e6;
  CHECK(m.price({"dram.precharge_powerdown", {}}).each() == Approx((25 - 34) * tck * 1.2 * 8));
  CHECK(m.price({"dram.active_powerdown", {}}).each() == Approx((37 - 43) * tck * 1.2 * 8));
  // A window of 12,000 cycles (10 us): 3,000 with a row open, of which 1,000 powered down,
  // and 5,000 in precharge power-down.
  const std::vector<stats::Record> counters = {
      counter("open", 3000, {"dram.active_standby", {}}),
      counter("pd_active", 1000, {"dram.active_powerdown", {}}),
      counter("pd_precharged", 5000, {"dram.precharge_powerdown", {}}),
  };
  const cost::Energy e = m.energy(counters, 10e-6);
  const cost::DramStates st = m.dram_states(e);
  auto pj = [&](double idd, double cycles) { return (idd * 1.2 + 3 * 2.5) * tck * 8 * cycles; };
  CHECK(st.precharged == Approx(pj(34, 12000 - 3000 - 5000)));
  CHECK(st.active == Approx(pj(43, 2000)));
  CHECK(st.powerdown_active == Approx(pj(37, 1000)));
  CHECK(st.powerdown_precharged == Approx(pj(25, 5000)));
  CHECK(st.total() == Approx(e.breakdown[Component::Dram]));
  // A preset without power-down currents cannot price the policy.
  CHECK_THROWS_WITH(
      cost::CostModel(
          t, config::default_design_point({config::parse_override("dram.power_down=idle"),
                                           config::parse_override("dram.preset=LPDDR4-3200")})
                 .point),
      "DRAM preset LPDDR4-3200: dram.power.idd2p: missing: dram.power_down: idle prices "
      "power-down with it (set it in the preset or under dram.power in the design point)");
}
