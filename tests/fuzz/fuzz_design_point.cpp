// libFuzzer target: the strict YAML reader of design points (schema, units, checks across
// keys, DRAM presets). Any text must give a resolved design point or an InputError.
#include <cstddef>
#include <cstdint>
#include <string>

#include "sim/config/design_point.hpp"
#include "sim/util/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    trine::config::load_design_point_text(std::string(reinterpret_cast<const char*>(data), size),
                                          "fuzz.yaml", {});
  } catch (const trine::InputError&) {
  }
  return 0;
}
