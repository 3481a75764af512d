#pragma once
// The chip's I/O to a host, for design points without DRAM (offchip: io): a TLM-2.0 target
// with the approximately-timed protocol the DMA speaks to the DRAM. One link of `bits` data
// bits per accelerator cycle carries every transaction in arrival order (a read's data, a
// write's data: both directions share the pins); a transaction's response follows its last
// data by the host's latency. It answers AHEAD (models/common/ahead_phase.hpp): nothing
// decides a transaction's time but the ones before it, so it can always answer ahead.
//
// The host keeps the bytes: the link moves only timing-only payloads (the accelerator's values
// flow through its datapath model) and refuses others with an error response.
#include <tlm_utils/simple_target_socket.h>
#include <systemc>
#include <tlm>

#include <cstdint>
#include <deque>

#include "models/common/stats_walker.hpp"
#include "models/dram/clock.hpp"
#include "sim/config/design_point.hpp"

namespace trine::models {

class ChipIo : public sc_core::sc_module, public HasStats {
 public:
  tlm_utils::simple_target_socket<ChipIo> socket;

  ChipIo(sc_core::sc_module_name name, const config::IoConfig& cfg, const ClockDomain& clock);
  const stats::Group& statistics() const override { return stats_; }

 private:
  SC_HAS_PROCESS(ChipIo);
  struct Pending {
    tlm::tlm_generic_payload* payload;
    int64_t done;  // the cycle its response is due
  };
  tlm::tlm_sync_enum nb_transport_fw(tlm::tlm_generic_payload& p, tlm::tlm_phase& phase,
                                     sc_core::sc_time& delay);
  void begin(tlm::tlm_generic_payload& p, const sc_core::sc_time& arrival);
  void respond();  // BEGIN_RESP for every transaction due by now
  void answer_ahead();

  config::IoConfig cfg_;
  ClockDomain clock_;
  int64_t link_free_ = 0;        // the first cycle the link is idle after what it has taken
  std::deque<Pending> pending_;  // in arrival order, hence in response order
  sc_core::sc_event due_;
  stats::Group stats_;
  stats::Counter transactions_, bytes_in_, bytes_out_, bits_, busy_cycles_;
};

}  // namespace trine::models
