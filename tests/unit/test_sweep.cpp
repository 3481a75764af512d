#include <catch2/catch.hpp>

#include <map>

#include "sim/sweep/expr.hpp"
#include "sim/sweep/spec.hpp"

using namespace trine;
using sweep::Expr;
using sweep::Value;

namespace {

Value eval(const std::string& text, const std::map<std::string, Value>& vars = {}) {
  return Expr::parse(text).eval([&](const std::string& n) -> std::optional<Value> {
    const auto it = vars.find(n);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  });
}

double num(const std::string& text, const std::map<std::string, Value>& vars = {}) {
  const Value v = eval(text, vars);
  REQUIRE_FALSE(v.is_text);
  return v.number;
}

std::string spec_error(const std::string& yaml) {
  try {
    sweep::parse_spec(yaml, "s.yaml");
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST_CASE("filter expressions: precedence, units, names, text", "[sweep]") {
  CHECK(num("1 + 2 * 3") == 7);
  CHECK(num("(1 + 2) * 3") == 9);
  CHECK(num("-2 * -3") == 6);
  CHECK(num("7 % 4 + 10 / 4") == 5.5);
  CHECK(num("32 KiB") == 32768);
  CHECK(num("1.2 GHz / 1 MHz") == Approx(1200));
  CHECK(num("1 < 2 && 2 < 1 || 3 == 3") == 1);
  CHECK(num("!(1 < 2) or not 0") == 1);
  CHECK(num("1 != 1 and 1") == 0);
  const std::map<std::string, Value> v = {{"array.rows", Value::of(16)},
                                          {"array.cols", Value::of(8)},
                                          {"dram.preset", Value::of(std::string("DDR4-2400"))}};
  CHECK(num("array.rows * array.cols <= 128", v) == 1);
  CHECK(num("dram.preset == 'DDR4-2400' && array.rows > array.cols", v) == 1);
  CHECK(num("dram.preset != \"DDR3-1600\"", v) == 1);
  CHECK(Expr::parse("a.b > c || d").names() == std::vector<std::string>{"a.b", "c", "d"});
  CHECK_THROWS_WITH(eval("array.rows > colz", v), "unknown name 'colz'");
  CHECK_THROWS_WITH(eval("dram.preset > 3", v), "'>' between a number and the text 'DDR4-2400'");
  CHECK_THROWS_WITH(Expr::parse("1 + "), "column 5: expression ends too soon");
  CHECK_THROWS_WITH(Expr::parse("(1 + 2"), "column 7: expected ')'");
  CHECK_THROWS_WITH(Expr::parse("1 2"), "column 3: unexpected '2'");
  CHECK_THROWS_WITH(Expr::parse("'open"), "column 1: unterminated string");
  CHECK_THROWS_WITH(eval("1 / 0"), "division by zero");
}

TEST_CASE("sweep specs expand axes as a product and zip groups together", "[sweep]") {
  const sweep::Spec s = sweep::parse_spec(
      "version: 1\nname: t\naxes:\n  array.rows: [8, 16]\n  array.act_bits: [8, 12, 16]\n"
      "zip:\n  - {array.cols: [4, 32], buffers.weight.size: [16 KiB, 64 KiB]}\n",
      "s.yaml");
  CHECK(sweep::axis_keys(s) == std::vector<std::string>{"array.rows", "array.act_bits",
                                                        "array.cols", "buffers.weight.size"});
  const std::vector<sweep::Point> p = sweep::expand(s);
  REQUIRE(p.size() == 12);
  // The last axis (the zip group) varies fastest; zipped values stay together.
  CHECK(p[0].values ==
        std::vector<std::pair<std::string, std::string>>{{"array.rows", "8"},
                                                         {"array.act_bits", "8"},
                                                         {"array.cols", "4"},
                                                         {"buffers.weight.size", "16 KiB"}});
  CHECK(p[1].values[2].second == "32");
  CHECK(p[1].values[3].second == "64 KiB");
  CHECK(p[2].values[1].second == "12");
  CHECK(p[11].values[0].second == "16");
  CHECK(p[11].index == 11);
  // Ids: stable for the same point, different for another.
  CHECK(sweep::point_id(s, p[3]) == sweep::point_id(s, p[3]));
  CHECK(sweep::point_id(s, p[3]) != sweep::point_id(s, p[4]));
  CHECK(sweep::point_id(s, p[3]).size() == 16);
}

TEST_CASE("sweep filters see the resolved design point", "[sweep]") {
  const sweep::Spec s = sweep::parse_spec(
      "version: 1\nname: t\naxes:\n  buffers.weight.size: [8 KiB, 64 KiB]\n"
      "  dram.preset: [DDR3-1600, DDR4-2400]\n"
      "filter: buffers.weight.size > 16 KiB || dram.preset == 'DDR4-2400'\n",
      "s.yaml");
  const std::vector<sweep::Point> p = sweep::expand(s);
  REQUIRE(p.size() == 3);
  CHECK(p[0].index == 1);  // 8 KiB with DDR3 is filtered out
  CHECK(p[0].values[1].second == "DDR4-2400");
  // A value that equals the default resolves to the same design point, hence the same id.
  const sweep::Spec a = sweep::parse_spec("version: 1\nname: a\naxes:\n  array.rows: [16]\n", "a");
  const sweep::Spec b = sweep::parse_spec("version: 1\nname: b\naxes:\n  array.cols: [16]\n", "b");
  CHECK(sweep::point_id(a, sweep::expand(a)[0]) == sweep::point_id(b, sweep::expand(b)[0]));
}

TEST_CASE("sweep spec errors name the file, line and key", "[sweep]") {
  CHECK(spec_error("version: 1\nname: t\naxes:\n  array.rowz: [8]\n") ==
        "s.yaml:4:3: axes.array.rowz: not a design-point key (trine check --keys lists them) "
        "nor 'model' (did you mean 'array.rows'?)");
  CHECK(spec_error("version: 1\nname: t\naxes:\n  array.rows: [8, many]\n") ==
        "s.yaml:4:19: array.rows: expected an integer, got 'many'");
  CHECK(spec_error("version: 1\nname: t\naxes:\n  array.rows: 8\n") ==
        "s.yaml:4:15: axes.array.rows: expected a nonempty list of values");
  CHECK(spec_error("version: 1\nname: t\n") == "s.yaml: axes: a sweep needs at least one axis");
  CHECK(spec_error("version: 1\nname: t\nrun: {batch: 2, images: 3}\naxes: {array.rows: [8]}\n") ==
        "s.yaml:3:25: run.images: must be a positive multiple of run.batch");
  CHECK(spec_error("version: 1\nname: t\naxes: {array.rows: [8]}\nfilter: array.rows >\n") ==
        "s.yaml:4:9: filter: column 13: expression ends too soon");
  CHECK(
      spec_error("version: 1\nname: t\naxes: {model: [nowhere.tnet]}\n") ==
      "s.yaml:3:16: axes.model: nowhere.tnet: cannot open the network (No such file or directory)");
  CHECK(spec_error("version: 1\nname: t\nmodes: 3\naxes: {array.rows: [8]}\n")
            .rfind("s.yaml:3:1: modes: unknown key", 0) == 0);
}
