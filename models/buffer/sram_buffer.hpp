#pragma once
// An on-chip SRAM buffer as a TLM-2.0 target (loosely timed, blocking transport).
// Words are interleaved across banks; an access of several words costs the access latency
// plus the extra cycles that the busiest bank needs at `ports` accesses per cycle, added to
// the transaction's annotated delay (the caller decides when to synchronise).
#include <systemc>
#include <tlm>

#include <cstdint>
#include <memory>
#include <vector>

#include "models/common/stats_walker.hpp"
#include "sim/config/design_point.hpp"
#include "sim/stats/stats.hpp"
#include "sim/util/divider.hpp"

namespace trine::models {

// The buffer's bytes, without timing: a plain class so tests and the DMA can reason about it.
class BufferStorage {
 public:
  explicit BufferStorage(uint64_t bytes) : data_(bytes, 0) {}
  uint64_t size() const { return data_.size(); }
  bool in_range(uint64_t addr, uint64_t len) const { return len <= size() && addr <= size() - len; }
  uint8_t* at(uint64_t addr) { return data_.data() + addr; }

 private:
  std::vector<uint8_t> data_;
};

class SramBuffer : public sc_core::sc_module, public HasStats, private tlm::tlm_fw_transport_if<> {
 public:
  // Several initiators (the controller, the decoder, the array) bind to the one socket. The
  // buffer is its forward interface: an access is one virtual call, not a convenience
  // socket's callback chain (a tile makes five).
  tlm::tlm_target_socket<32, tlm::tlm_base_protocol_types, 0, sc_core::SC_ONE_OR_MORE_BOUND> socket;

  SramBuffer(sc_core::sc_module_name name, const config::BufferConfig& cfg,
             const sc_core::sc_time& clock_period);

  const stats::Group& statistics() const override { return stats_; }
  BufferStorage& storage() { return storage_; }
  // Cycles one access of `len` bytes at `addr` occupies (latency included).
  uint64_t access_cycles(uint64_t addr, uint64_t len) const;
  uint64_t cycles_for_words(uint64_t words) const;  // of an access that spans `words` words
  uint64_t bytes_accessed() const { return bytes_read_.value() + bytes_written_.value(); }

 private:
  void b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) override;
  // Debug access to the bytes, without time or statistics.
  unsigned int transport_dbg(tlm::tlm_generic_payload& trans) override;
  // Loosely timed only: a non-blocking request is refused, and there is no direct pointer.
  tlm::tlm_sync_enum nb_transport_fw(tlm::tlm_generic_payload& trans, tlm::tlm_phase& phase,
                                     sc_core::sc_time& delay) override;
  bool get_direct_mem_ptr(tlm::tlm_generic_payload& trans, tlm::tlm_dmi& dmi) override;
  const sc_core::sc_time& cycles_time(uint64_t cycles);  // `cycles` clock periods
  void copy_bytes(tlm::tlm_generic_payload& trans);      // a checked read or write's bytes

  config::BufferConfig cfg_;
  sc_core::sc_time period_;
  std::vector<sc_core::sc_time> times_;  // by cycle count
  sc_core::sc_time long_time_;
  util::Divider word_, banks_, ports_;  // every access divides by them several times
  BufferStorage storage_;
  stats::Group stats_;
  // Word accesses per bank, counted here on every access and read by the declared
  // counters (stats::Counter::keep_in); sized once, never resized.
  std::vector<uint64_t> reads_per_bank_, writes_per_bank_;
  std::vector<std::unique_ptr<stats::Counter>> bank_reads_, bank_writes_;
  stats::Counter bytes_read_, bytes_written_, errors_;
};

}  // namespace trine::models
