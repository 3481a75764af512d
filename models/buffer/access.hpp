#pragma once
// Streams `bytes` through a buffer's TLM socket in transactions that fit its capacity, from
// address `base` (wrapping to 0): what an address generator does when it walks a region
// larger than one pass. Returns the annotated delay; a refused access is a SystemC error.
#include <systemc>
#include <tlm>

#include <cstdint>
#include <vector>

namespace trine::models {

template <class Socket>
sc_core::sc_time stream_access(Socket& target, tlm::tlm_command cmd, uint64_t base, uint64_t bytes,
                               uint64_t capacity, std::vector<unsigned char>& scratch,
                               const char* who) {
  sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
  uint64_t addr = base % capacity;
  while (bytes > 0) {
    const uint64_t len = std::min(bytes, capacity - addr);
    if (scratch.size() < len) scratch.resize(len);
    tlm::tlm_generic_payload p;
    p.set_command(cmd);
    p.set_address(addr);
    p.set_data_ptr(scratch.data());
    p.set_data_length(static_cast<unsigned>(len));
    p.set_streaming_width(static_cast<unsigned>(len));
    target->b_transport(p, delay);
    if (!p.is_response_ok()) SC_REPORT_ERROR(who, "buffer access refused");
    bytes -= len;
    addr = 0;
  }
  return delay;
}

}  // namespace trine::models
