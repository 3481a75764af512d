// Issue 22: hostile inputs get one located error (InputError, exit status 2), never a crash,
// a hang, an unbounded allocation or a silent acceptance. The item numbers are the issue's.
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "sim/config/design_point.hpp"
#include "sim/config/yaml_util.hpp"
#include "sim/net/tnet.hpp"
#include "sim/regress/regress.hpp"
#include "sim/sweep/expr.hpp"
#include "sim/sweep/spec.hpp"
#include "sim/util/bytes.hpp"
#include "sim/util/file.hpp"
#include "sim/util/limits.hpp"
#include "tests/support/builders.hpp"

using namespace trine;

namespace {

template <class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no error)";
}

std::string design_error(const std::string& yaml) {
  return error_of([&] { config::load_design_point_text(yaml, "dp.yaml", {}); });
}

std::string fresh_dir(const std::string& name) {
  const std::string dir = "robust_test_" + name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

}  // namespace

TEST_CASE("1: a .tnet claiming more weights than 64 bits can count is refused", "[robust]") {
  const auto bytes = net::serialize(testing::example_mlp(net::WeightForm::Dense8, 1));
  const std::string m = testing::tnet_manifest(bytes);
  // 2^24 x 2^24 weights: refused before any payload size is computed from them (a convolution's
  // kernel can make the product wrap 64 bits; the bound comes first either way).
  const size_t in = m.find("    in: 64\n"), out = m.find("    out: ");
  REQUIRE(in != std::string::npos);
  REQUIRE(out != std::string::npos);
  std::string edited = m;
  edited.replace(edited.find("    out: "), edited.find('\n', out) - out, "    out: 16777216");
  edited.replace(edited.find("    in: 64\n"), 11, "    in: 16777216\n");
  const std::string e =
      error_of([&] { net::parse(testing::with_manifest(bytes, edited), "m.tnet"); });
  CHECK(e.find("m.tnet#manifest:") == 0);
  CHECK(e.find("has 16777216 x 16777216 weights; the largest tensor has 1073741824") !=
        std::string::npos);
}

TEST_CASE("14, 15: a manifest is UTF-8, and payload errors carry its line and column", "[robust]") {
  const auto bytes = net::serialize(testing::example_mlp(net::WeightForm::Ternary, 1));
  const std::string m = testing::tnet_manifest(bytes);
  std::string bad = m;
  bad.replace(bad.find("name: \"") + 7, 1, "\xff");
  CHECK(error_of([&] {
          net::parse(testing::with_manifest(bytes, bad), "m.tnet");
        }).find("m.tnet#manifest:2:8: not UTF-8 text") == 0);
  // A ternary row pointer past the stream, with a correct payload CRC: the payload's own check
  // names the layer's weights at their line in the manifest.
  std::vector<uint8_t> file = bytes;
  const size_t area = testing::tnet_u64(file, 48);
  file[area + 8 + 7] = 0x40;  // row_start[1] of fc1.weights, the first payload
  const size_t crc_at = m.find("crc32: ", m.find("name: \"fc1.weights\"")) + 7;
  const size_t crc_end = m.find_first_of("}\n", crc_at);
  const std::string payload_bytes =
      m.substr(m.find("bytes: ", m.find("name: \"fc1.weights\"")) + 7);
  const size_t size = std::stoul(payload_bytes);
  char crc[16];
  std::snprintf(crc, sizeof crc, "0x%08x", crc32(file.data() + area, size));
  std::string edited = m;
  edited.replace(crc_at, crc_end - crc_at, crc);
  const std::string e =
      error_of([&] { net::parse(testing::with_manifest(file, edited), "m.tnet"); });
  INFO(e);
  CHECK(e.find("m.tnet#manifest:") == 0);
  CHECK(e.find(": layers[0].weights: ") != std::string::npos);
  CHECK(e.find("payload of") == std::string::npos);
}

TEST_CASE("10: inputs must be regular files of bounded size", "[robust]") {
  const std::string dir = fresh_dir("files");
  CHECK(error_of([] { read_input_file("/dev/zero", 100, "design point"); }) ==
        "/dev/zero: is a device, a pipe or a socket, not a regular file");
  CHECK(error_of([&] { read_input_file(dir, 100, "design point"); }) ==
        dir + ": is a folder, not a file");
  CHECK(error_of([&] { read_input_file(dir + "/none.yaml", 100, "design point"); }) ==
        dir + "/none.yaml: cannot open the design point (No such file or directory)");
  const std::string fifo = dir + "/fifo";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);  // no writer: a blocking open would hang
  CHECK(error_of([&] { read_input_file(fifo, 100, "design point"); }) ==
        fifo + ": is a device, a pipe or a socket, not a regular file");
  std::ofstream(dir + "/big.yaml") << std::string(101, '#');
  CHECK(error_of([&] { read_input_file(dir + "/big.yaml", 100, "design point"); }) ==
        dir +
            "/big.yaml: the design point is 101 bytes; the largest accepted is 100 bytes "
            "(docs/inputs.md)");
  CHECK(error_of([] { config::load_design_point("/dev/null", {}); }) ==
        "/dev/null: is a device, a pipe or a socket, not a regular file");
  CHECK(error_of([] { net::read_tnet("/tmp"); }) == "/tmp: is a folder, not a file");
}

TEST_CASE("11: outputs that are devices or links are written through, never replaced", "[robust]") {
  const std::string dir = fresh_dir("outputs");
  write_file_atomic("/dev/null", std::string("discarded"));
  struct stat st;
  REQUIRE(::stat("/dev/null", &st) == 0);
  CHECK(S_ISCHR(st.st_mode));
  const std::string target = dir + "/target.txt", link = dir + "/link.txt";
  std::ofstream(target) << "old";
  std::filesystem::create_symlink("target.txt", link);
  write_file_atomic(link, std::string("new"));
  CHECK(std::filesystem::is_symlink(link));
  CHECK(read_file_text(target) == "new");
  CHECK(error_of([&] { write_file_atomic(dir, std::string("x")); }) ==
        dir + ": is a folder; name a file to write");
  const std::string fifo = dir + "/fifo";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);  // nobody reads it: an error, not a hang
  CHECK(error_of([&] { write_file_atomic(fifo, std::string("x")); }) ==
        fifo + ": cannot write (No such device or address)");
}

TEST_CASE("14: YAML that yaml-cpp accepts but a design point must not", "[robust][config]") {
  CHECK(design_error("array:\n  rows: 16\n---\narray:\n  rows: 8\n") ==
        "dp.yaml:3:1: content after the first YAML document ('---' starts a second one); the "
        "file must hold one");
  // (yaml-cpp's LoadAll yields empty documents without end on this one: found by fuzzing.)
  CHECK(design_error(",.").find("dp.yaml:1:") == 0);
  CHECK(design_error("name: \"unterminated\narray:\n  rows: 16\n") ==
        "dp.yaml:1:7: unterminated quoted string");
  CHECK(design_error("name: 'it''s fine'\n") == "(no error)");
  // Integers are decimal (YAML 1.2 core schema: 010 is ten), 0x is hex, 0o octal.
  const auto rows = [](const std::string& v) {
    return config::load_design_point_text("array:\n  rows: " + v + "\n", "dp.yaml", {})
        .point.array.rows;
  };
  CHECK(rows("010") == 10);
  CHECK(rows("08") == 8);
  CHECK(rows("0x20") == 32);
  CHECK(rows("0o20") == 16);
  CHECK(design_error("array:\n  rows: 0b101\n") ==
        "dp.yaml:2:9: array.rows: expected an integer, got '0b101'");
  CHECK(design_error("array:\n  rows: 99999999999999999999\n") ==
        "dp.yaml:2:9: array.rows: expected an integer, got '99999999999999999999'");
  CHECK(design_error("name: caf\xc3\xa9\ndescription: \xff\xfe\n") ==
        "dp.yaml:2:14: not UTF-8 text (byte 25)");
  std::string deep = "a: ", close;
  for (int i = 0; i < 100; ++i) deep += "[", close += "]";
  CHECK(design_error(deep + close + "\n")
            .find(": nested deeper than 64 levels (the limit; "
                  "docs/inputs.md)") != std::string::npos);
  std::string block;
  for (int i = 0; i < 80; ++i) block += std::string(static_cast<size_t>(i), ' ') + "k:\n";
  CHECK(design_error(block).find("nested deeper than 64 levels") != std::string::npos);
  std::string flow = "a: ";
  for (int i = 0; i < 100000; ++i) flow += "[";
  CHECK(design_error(flow).find("nested deeper than 64 levels") != std::string::npos);
}

TEST_CASE("3, 7, 8: DRAM organisations and timings that break the model are refused",
          "[robust][config]") {
  std::string org = "dram:\n  org:\n";
  for (const char* kv :
       {"channels: 64", "ranks: 16", "bank_groups: 16", "banks_per_group: 64", "rows: 16777216",
        "columns: 65536", "device_width: 64", "bus_width: 1024", "burst_length: 32"})
    org += std::string("    ") + kv + "\n";
  CHECK(design_error(org) ==
        "dp.yaml:7:11: dram.org.rows: the organisation makes 2^67 bytes; the largest DRAM is "
        "2^48 (docs/inputs.md)");
  CHECK(design_error("dram:\n  org:\n    burst_length: 1\n") ==
        "dp.yaml:3:19: dram.org.burst_length: must be at least 2 (two beats per clock)");
  CHECK(design_error("dram:\n  org:\n    columns: 4\n") ==
        "dp.yaml:3:14: dram.org.columns: a row must hold at least one burst (8 columns)");
  // The error points at the key the design point set, not at the preset's tREFI.
  CHECK(design_error("dram:\n  timing:\n    tRCD: 9000\n") ==
        "dp.yaml:3:11: dram.timing.tRCD: leaves no access between refreshes: tREFI (9360) must "
        "exceed tRP + max(tRAS, tRTP, tCWL + burst + tWR) + banks per rank + tRFC + tRCD (9492)");
  CHECK(design_error("dram:\n  timing:\n    tREFI: 20\n    tRFC: 1\n") ==
        "dp.yaml:3:12: dram.timing.tREFI: leaves no access between refreshes: tREFI (20) must "
        "exceed tRP + max(tRAS, tRTP, tCWL + burst + tWR) + banks per rank + tRFC + tRCD (90)");
}

TEST_CASE("4: a sweep of more points than the limit is refused before expanding", "[robust]") {
  std::string spec = "version: 1\nname: big\naxes:\n";
  const char* keys[] = {"array.rows", "array.cols", "array.act_bits", "buffers.weight.banks"};
  for (const char* k : keys) {
    spec += std::string("  ") + k + ": [";
    for (int i = 1; i <= 16; ++i) spec += (i > 1 ? ", " : "") + std::to_string(i);
    spec += "]\n";
  }
  spec += "  buffers.input.banks: [1, 2]\n";  // 16^4 x 2 = 131072 points
  CHECK(error_of([&] { sweep::parse_spec(spec, "s.yaml"); }) ==
        "s.yaml:8:25: axes: the axes make more than 100000 points, the largest sweep "
        "(docs/inputs.md); split it");
}

TEST_CASE("5: filter expressions are bounded in length and depth", "[robust]") {
  auto parse_error = [](const std::string& text) {
    try {
      sweep::Expr::parse(text);
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("(no error)");
  };
  for (const std::string prefix : {"(", "!", "-", "not "}) {
    std::string deep;
    for (int i = 0; i < 10000; ++i) deep += prefix;
    INFO(prefix);
    CHECK(parse_error(deep + "1").find("nested deeper than 200 levels") != std::string::npos);
  }
  std::string sum = "1";
  for (int i = 0; i < 300; ++i) sum += " + 1";
  CHECK(parse_error(sum).find("nested deeper than 200 levels") != std::string::npos);
  sum = "1";
  for (int i = 0; i < 150; ++i) sum += " + 1";
  CHECK(sweep::Expr::parse(sum).eval([](const std::string&) { return std::nullopt; }).number ==
        151);
  CHECK(parse_error(std::string(70000, ' ') + "1") ==
        "the filter is 70001 characters; the longest accepted is 65536 (docs/inputs.md)");
}

TEST_CASE("12: sweep specs and regression cases refuse bad values where they are written",
          "[robust]") {
  const std::string dir = fresh_dir("specs");
  auto spec_error = [&](const std::string& text) {
    return error_of([&] { sweep::parse_spec(text, dir + "/s.yaml"); });
  };
  CHECK(spec_error("version: 1\nname: t\naxes:\n  [a, b]: [1]\n") ==
        dir + "/s.yaml:4:3: axes: expected a string, got a sequence");
  CHECK(spec_error("version: 1\nname: t\nbase: nowhere.yaml\naxes: {array.rows: [8]}\n") ==
        dir + "/s.yaml:3:7: base: " + dir +
            "/nowhere.yaml: cannot open the design point (No such file or directory)");
  auto case_error = [&](const std::string& text) {
    std::ofstream(dir + "/case.yaml") << text;
    return error_of([&] { regress::load_case(dir); });
  };
  CHECK(case_error("version: 1\nimages: 0\n") ==
        dir + "/case.yaml:2:9: images: 0 is out of range [1, 1000000]");
  CHECK(case_error("version: 1\nimages: -1\n") ==
        dir + "/case.yaml:2:9: images: -1 is out of range [1, 1000000]");
  CHECK(case_error("version: 1\nbatch: 0\n") ==
        dir + "/case.yaml:2:8: batch: 0 is out of range [1, 4096]");
  CHECK(case_error("version: 1\nbatch: 2\nimages: 3\n") ==
        dir + "/case.yaml:3:9: images: must be a multiple of batch (2)");
  CHECK(case_error("version: 1\ndesign: missing.yaml\n") ==
        dir + "/case.yaml:2:9: design: " + dir +
            "/missing.yaml: cannot open the design point (No such file or directory)");
  CHECK(case_error("version: 1\nset: [array.rows]\n") ==
        dir + "/case.yaml:2:7: set: expected KEY=VALUE, e.g. array.rows=32; got 'array.rows'");
}
