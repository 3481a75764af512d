// libFuzzer target: the SCALE-Sim topology reader. Any bytes must give rows or an InputError,
// and rows it accepts must make a network of well-formed layers.
#include <cstddef>
#include <cstdint>
#include <string>

#include "sim/gen/topology.hpp"
#include "sim/util/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    const auto rows = trine::gen::parse_topology(text, "fuzz.csv");
    int64_t weights = 0;
    for (const auto& r : rows) {
      if (r.ifmap_h * r.ifmap_w * r.channels > 4096 || r.filters * r.channels > 4096) return 0;
      weights += r.out_c() * r.channels * r.filter_h * r.filter_w;
    }
    if (weights > 65536) return 0;  // small networks only: the reader is what is fuzzed
    trine::gen::topology_network(rows, "fuzz", {1, 4, 4, 8, 0},
                                 trine::gen::parse_form("dense8", -1), 1);
  } catch (const trine::InputError&) {
  }
  return 0;
}
