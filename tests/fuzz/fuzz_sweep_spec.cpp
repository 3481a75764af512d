// libFuzzer target: sweep specs (axes, zip groups, filters, each value checked against the
// base), and the expansion of small ones. Any text must give points or an InputError.
#include <cstddef>
#include <cstdint>
#include <string>

#include "sim/sweep/spec.hpp"
#include "sim/util/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    const trine::sweep::Spec spec = trine::sweep::parse_spec(
        std::string(reinterpret_cast<const char*>(data), size), "fuzz.yaml");
    size_t points = 1;
    for (const auto& group : spec.groups) points *= group.front().values.size();
    if (points <= 64) trine::sweep::expand(spec);  // (large ones only cost time)
  } catch (const trine::InputError&) {
  }
  return 0;
}
