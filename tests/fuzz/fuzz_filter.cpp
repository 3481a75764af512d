// libFuzzer target: sweep filter expressions, parsed and evaluated over a few names. Any text
// must give a value or a std::invalid_argument (which the spec reader locates).
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "sim/sweep/expr.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using trine::sweep::Value;
  try {
    const auto e =
        trine::sweep::Expr::parse(std::string(reinterpret_cast<const char*>(data), size));
    e.names();
    e.eval([](const std::string& name) -> std::optional<Value> {
      if (name == "array.rows") return Value::of(16.0);
      if (name == "model") return Value::of(std::string("default"));
      return std::nullopt;
    });
  } catch (const std::invalid_argument&) {
  }
  return 0;
}
