#include <catch2/catch.hpp>

#include <set>
#include <sstream>

#include "sim/config/design_point.hpp"
#include "sim/config/yaml_util.hpp"
#include "sim/util/embedded.hpp"

using namespace trine;
using config::load_design_point_text;

static std::string error_of(const std::string& yaml, std::vector<config::Override> o = {}) {
  try {
    load_design_point_text(yaml, "dp.yaml", o);
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST_CASE("strict design points: each error class has the FILE:LINE:COL: KEY: message shape",
          "[config]") {
  CHECK(error_of("array:\n  rows: 16\n  colz: 8\n") ==
        "dp.yaml:3:3: array.colz: unknown key (did you mean 'cols'?)");
  CHECK(error_of("arrya:\n  rows: 16\n") ==
        "dp.yaml:1:1: arrya: unknown key (did you mean 'array'?)");
  CHECK(error_of("array:\n  rows: many\n") ==
        "dp.yaml:2:9: array.rows: expected an integer, got 'many'");
  CHECK(error_of("array:\n  rows: 1.5\n") ==
        "dp.yaml:2:9: array.rows: expected an integer, got '1.5'");
  CHECK(error_of("array:\n  rows: [1, 2]\n") ==
        "dp.yaml:2:9: array.rows: expected an integer, got a sequence");
  CHECK(error_of("array: 4\n") == "dp.yaml:1:8: array: expected a mapping of keys to values");
  CHECK(error_of("array:\n  rows: 5000\n") ==
        "dp.yaml:2:9: array.rows: 5000 is out of range [1, 1024]");
  CHECK(error_of("array:\n  rows: 0\n") == "dp.yaml:2:9: array.rows: 0 is out of range [1, 1024]");
  CHECK(error_of("array:\n  model: slow\n") ==
        "dp.yaml:2:10: array.model: 'slow' is not one of: fast, cycle");
  CHECK(error_of("clock:\n  frequency: 500\n") ==
        "dp.yaml:2:14: clock.frequency: expected a frequency with a unit (Hz, kHz, MHz, GHz), "
        "got '500'");
  CHECK(error_of("clock:\n  frequency: 20 GHz\n") ==
        "dp.yaml:2:14: clock.frequency: 20 GHz is out of range [1 MHz, 10 GHz]");
  CHECK(error_of("buffers:\n  input:\n    size: 12 parsecs\n") ==
        "dp.yaml:3:11: buffers.input.size: expected a size with a unit (B, KiB, MiB, GiB, kB, "
        "KB, MB), got '12 parsecs'");
  CHECK(error_of("array:\n  rows: 4\n  rows: 8\n") == "dp.yaml:3:3: array.rows: duplicate key");
  CHECK(error_of("version: 2\n") == "dp.yaml:1:10: version: 2 is out of range [1, 1]");
  CHECK(error_of("array:\n  rows: [1,\n").rfind("dp.yaml:3:1: YAML syntax error", 0) == 0);
}

TEST_CASE("strict design points: contradictory combinations name the key that breaks them",
          "[config]") {
  CHECK(error_of("buffers:\n  weight:\n    size: 1000 B\n") ==
        "dp.yaml:3:11: buffers.weight.size: 1000 B is not a whole number of rows of 4 banks x "
        "64 bits");
  CHECK(error_of("buffers:\n  weight:\n    word_bits: 12\n") ==
        "dp.yaml:3:16: buffers.weight.word_bits: must be a multiple of 8");
  CHECK(error_of("array:\n  act_bits: 16\n  acc_bits: 24\n") ==
        "dp.yaml:3:13: array.acc_bits: must be at least twice array.act_bits (16)");
  CHECK(error_of("dram:\n  timing:\n    tRC: 10\n") ==
        "dp.yaml:3:10: dram.timing.tRC: 10 is less than tRAS + tRP (56)");
  CHECK(error_of("dram:\n  org:\n    rows: 1000\n") ==
        "dp.yaml:3:11: dram.org.rows: 1000 is not a power of two");
  CHECK(error_of("decoder:\n  table_entries: 0\n") ==
        "dp.yaml:2:18: decoder.table_entries: a table decoder needs at least one entry");
  // A contradiction between a preset value and the user's value points at the user's key.
  CHECK(error_of("dram:\n  timing:\n    tREFI: 100\n") ==
        "dp.yaml:3:12: dram.timing.tREFI: must be longer than tRFC");
}

TEST_CASE("dram presets: unknown names suggest the closest preset", "[config]") {
  CHECK(error_of("dram:\n  preset: DDR4-2440\n") ==
        "dp.yaml:2:11: dram.preset: 'DDR4-2440' is not one of: DDR3-1600, DDR4-2400, "
        "LPDDR4-3200 (or a path to a preset .yaml) (did you mean 'DDR4-2400'?)");
}

TEST_CASE("overrides: --set addresses any key by dotted path and wins over the file", "[config]") {
  auto dp = load_design_point_text("array:\n  rows: 8\n", "dp.yaml",
                                   {config::parse_override("array.rows=32"),
                                    config::parse_override("buffers.input.size=128 KiB")});
  CHECK(dp.point.array.rows == 32);
  CHECK(dp.point.buffers.input.size_bytes == 128 * 1024);
  CHECK(error_of("", {config::parse_override("array.rowz=3")}) ==
        "--set array.rowz=3: array.rowz: unknown key (did you mean 'rows'?)");
  CHECK(error_of("", {config::parse_override("array.rows=abc")}) ==
        "--set array.rows=abc: array.rows: expected an integer, got 'abc'");
  CHECK_THROWS_AS(config::parse_override("array.rows"), InputError);
}

TEST_CASE("dram: explicit timing keys sit above the preset, whichever preset is chosen",
          "[config]") {
  auto dp =
      load_design_point_text("dram:\n  preset: LPDDR4-3200\n  timing:\n    tRCD: 40\n", "dp.yaml");
  const auto lp = config::dram_preset("LPDDR4-3200");
  CHECK(dp.point.dram.device.timing.tRCD == 40);
  CHECK(dp.point.dram.device.timing.tRP == lp.timing.tRP);
  CHECK(dp.point.dram.device.org.bus_width == 16);
  CHECK(dp.point.dram.device.name == "LPDDR4-3200");
  // The same override applied on top of another preset keeps that preset's other values.
  auto dp2 = load_design_point_text("dram:\n  timing:\n    tRCD: 40\n", "dp.yaml",
                                    {config::parse_override("dram.preset=DDR3-1600")});
  CHECK(dp2.point.dram.device.timing.tRCD == 40);
  CHECK(dp2.point.dram.device.timing.clock_hz == 800'000'000);
}

// Every key the schema declares.
static std::vector<std::string> all_keys() {
  std::vector<std::string> keys;
  std::istringstream in(config::key_reference());
  for (std::string line; std::getline(in, line);) keys.push_back(line.substr(0, line.find('\t')));
  return keys;
}

TEST_CASE("the embedded default sets every key, and every preset every DRAM key", "[config]") {
  const auto dp = config::default_design_point();
  const std::string def = "<embedded>/configs/arch/default.yaml";
  int dram_keys = 0;
  for (const std::string& key : all_keys()) {
    INFO(key);
    REQUIRE(dp.locations.count(key) == 1);
    const bool device = key.rfind("dram.org.", 0) == 0 || key.rfind("dram.timing.", 0) == 0 ||
                        key.rfind("dram.power.", 0) == 0;
    if (device) {
      ++dram_keys;
      CHECK(dp.locations.at(key).file == "<embedded>/configs/dram/DDR4-2400.yaml");
    } else {
      CHECK(dp.locations.at(key).file == def);
    }
  }
  CHECK(dram_keys > 20);
  for (const std::string& name : config::dram_preset_names()) {
    INFO(name);
    auto p = load_design_point_text("dram:\n  preset: " + name + "\n", "dp.yaml");
    for (const std::string& key : all_keys())
      if (key.rfind("dram.org.", 0) == 0 || key.rfind("dram.timing.", 0) == 0)
        CHECK(p.locations.at(key).file == "<embedded>/configs/dram/" + name + ".yaml");
  }
}

TEST_CASE("resolved design points load back to themselves", "[config]") {
  for (const std::string& preset : config::dram_preset_names()) {
    auto dp = load_design_point_text("array:\n  rows: 24\nbuffers:\n  output:\n    size: 96 KiB\n",
                                     "dp.yaml", {config::parse_override("dram.preset=" + preset)});
    const std::string text = config::resolved_yaml(dp.point);
    auto again = load_design_point_text(text, "resolved.yaml");
    CHECK(config::resolved_yaml(again.point) == text);
    CHECK(text.find("size: 96 KiB") != std::string::npos);
  }
}

TEST_CASE("units are converted once, at load", "[config]") {
  auto dp = load_design_point_text(
      "clock:\n  frequency: 1.2 GHz\nbuffers:\n  weight:\n    size: 1 MiB\n  input:\n    size: "
      "4096\n",
      "dp.yaml");
  CHECK(dp.point.clock.frequency_hz == 1'200'000'000);
  CHECK(dp.point.buffers.weight.size_bytes == 1024 * 1024);
  CHECK(dp.point.buffers.input.size_bytes == 4096);
  CHECK(yaml::hertz_text(1'200'000'000) == "1200 MHz");
  CHECK(yaml::bytes_text(96 * 1024) == "96 KiB");
  CHECK(yaml::bytes_text(1000) == "1000 B");
}

TEST_CASE("every shipped design point in configs/arch is valid", "[config]") {
  for (const auto& f : embedded::configs()) {
    INFO(f.path);
    if (std::string(f.path).rfind("configs/arch/", 0) == 0)
      CHECK_NOTHROW(load_design_point_text(f.text, f.path));
  }
}
