#include <catch2/catch.hpp>

#include <cmath>
#include <sstream>

#include "sim/util/error.hpp"
#include "sim/util/json.hpp"

using namespace trine;

TEST_CASE("JSON writer: nesting, commas, escapes and numbers", "[json]") {
  std::ostringstream o;
  json::Writer j(o, false);
  j.begin_object();
  j.field("name", "a \"b\"\n").field("n", int64_t{-3}).field("x", 0.25).field("ok", true);
  j.key("list").begin_array().value(1).value(std::nan("")).begin_object().end_object().end_array();
  j.key("empty").begin_array().end_array();
  j.end_object();
  j.finish();
  CHECK(o.str() ==
        "{\"name\":\"a \\\"b\\\"\\n\",\"n\":-3,\"x\":0.25,\"ok\":true,\"list\":[1,null,{}],"
        "\"empty\":[]}\n");
  CHECK(json::escape(std::string("\x01", 1)) == "\"\\u0001\"");
}

TEST_CASE("JSON writer: pretty output and misuse", "[json]") {
  std::ostringstream o;
  json::Writer j(o);
  j.begin_object().field("a", 1).key("b").begin_array().value("x").end_array().end_object();
  j.finish();
  CHECK(o.str() == "{\n  \"a\": 1,\n  \"b\": [\n    \"x\"\n  ]\n}\n");
  std::ostringstream p;
  json::Writer bad(p);
  bad.begin_object();
  CHECK_THROWS_AS(bad.value(1), RunError);  // a value in an object needs a key
  CHECK_THROWS_AS(bad.finish(), RunError);  // left open
}
