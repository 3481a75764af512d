// libFuzzer target: DRAM trace files (DRAMSys and Ramulator lines). Any text must give
// requests or an InputError.
#include <cstddef>
#include <cstdint>
#include <string>

#include "models/dram/trace.hpp"
#include "sim/util/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    trine::dram::parse_trace(std::string(reinterpret_cast<const char*>(data), size), "fuzz.trace",
                             uint64_t{1} << 33, 64);
  } catch (const trine::InputError&) {
  }
  return 0;
}

// The trace reader sits in the models library, which links SystemC: its library wants an
// sc_main, which libFuzzer's main never calls.
extern "C" int sc_main(int, char**) {
  return 0;
}
