#pragma once
// A TLM-2.0 initiator that plays a memory trace into a target with the approximately-timed
// protocol: each request goes out at its trace cycle or as soon as the target ends the
// previous request phase, so as many requests are in flight as the target accepts.
#include <tlm_utils/simple_initiator_socket.h>
#include <systemc>
#include <tlm>

#include <memory>
#include <vector>

#include "models/common/payload_pool.hpp"
#include "models/dram/clock.hpp"
#include "models/dram/trace.hpp"

namespace trine::models {

class TracePlayer : public sc_core::sc_module {
 public:
  tlm_utils::simple_initiator_socket<TracePlayer> socket;

  TracePlayer(sc_core::sc_module_name name, std::vector<dram::TraceEntry> trace,
              unsigned request_bytes, const ClockDomain& clock);

  uint64_t completed() const { return completed_; }
  uint64_t failed() const { return failed_; }
  sc_core::sc_time last_response() const { return last_response_; }

 private:
  SC_HAS_PROCESS(TracePlayer);
  void run();
  tlm::tlm_sync_enum nb_transport_bw(tlm::tlm_generic_payload& p, tlm::tlm_phase& phase,
                                     sc_core::sc_time& delay);
  void finished(tlm::tlm_generic_payload& p);

  std::vector<dram::TraceEntry> trace_;
  unsigned request_bytes_;
  ClockDomain clock_;
  PayloadPool<char> payloads_;
  sc_core::sc_event end_req_;
  uint64_t completed_ = 0, failed_ = 0;
  sc_core::sc_time last_response_;
};

}  // namespace trine::models
