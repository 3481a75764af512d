// libFuzzer target: the .tnet reader. Any bytes must give a Network or an InputError.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "sim/net/tnet.hpp"
#include "sim/util/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    trine::net::parse(std::vector<uint8_t>(data, data + size), "fuzz.tnet");
  } catch (const trine::InputError&) {
  }
  return 0;
}
