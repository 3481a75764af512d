#pragma once
// Streams `bytes` through a buffer's TLM socket in transactions that fit its capacity, from
// address `base` (wrapping to 0): what an address generator does when it walks a region
// larger than one pass. Returns the annotated delay; a refused access is a SystemC error.
#include <systemc>
#include <tlm>

#include <cstdint>
#include <vector>

#include "models/common/timing_only.hpp"

namespace trine::models {

// What an initiator keeps between accesses: one payload (constructing one allocates its
// extension array), marked TimingOnly, and the data area the bytes would pass through.
struct AccessScratch {
  AccessScratch() { payload.set_extension(new TimingOnly); }  // the payload frees it
  tlm::tlm_generic_payload payload;
  std::vector<unsigned char> data;
};

template <class Socket>
sc_core::sc_time stream_access(Socket& target, tlm::tlm_command cmd, uint64_t base, uint64_t bytes,
                               uint64_t capacity, AccessScratch& scratch, const char* who) {
  sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
  uint64_t addr = base % capacity;
  while (bytes > 0) {
    const uint64_t len = std::min(bytes, capacity - addr);
    if (scratch.data.size() < len) scratch.data.resize(len);
    tlm::tlm_generic_payload& p = scratch.payload;
    p.set_command(cmd);
    p.set_address(addr);
    p.set_data_ptr(scratch.data.data());
    p.set_data_length(static_cast<unsigned>(len));
    p.set_streaming_width(static_cast<unsigned>(len));
    p.set_byte_enable_ptr(nullptr);
    p.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    target->b_transport(p, delay);
    if (!p.is_response_ok()) SC_REPORT_ERROR(who, "buffer access refused");
    bytes -= len;
    addr = 0;
  }
  return delay;
}

}  // namespace trine::models
