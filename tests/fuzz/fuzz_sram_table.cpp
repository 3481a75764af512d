// libFuzzer target: the SRAM table reader (a technology's CSV of CACTI macros). Any bytes must
// give a table or an InputError, and a table must answer any lookup with a macro or
// std::out_of_range.
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "sim/cost/sram_table.hpp"
#include "sim/util/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    const trine::cost::SramTable t = trine::cost::SramTable::parse(text, "fuzz.csv");
    for (const char* cell : {"itrs-lop", "itrs-hp"})
      for (double bytes : {512.0, 1024.0, 3000.0, 65536.0, 1e9})
        for (double bits : {8.0, 64.0, 100.0, 256.0})
          for (int ports : {1, 2}) {
            try {
              (void)t.macro(cell, bytes, bits, ports);
            } catch (const std::out_of_range&) {
            }
            (void)t.range(cell, ports);
          }
  } catch (const trine::InputError&) {
  }
  return 0;
}
