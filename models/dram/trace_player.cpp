#include "models/dram/trace_player.hpp"

namespace trine::models {

TracePlayer::TracePlayer(sc_core::sc_module_name name, std::vector<dram::TraceEntry> trace,
                         unsigned request_bytes, const ClockDomain& clock)
    : sc_core::sc_module(name),
      socket("socket"),
      trace_(std::move(trace)),
      request_bytes_(request_bytes),
      clock_(clock),
      payloads_(request_bytes) {
  socket.register_nb_transport_bw(this, &TracePlayer::nb_transport_bw);
  SC_THREAD(run);
}

void TracePlayer::run() {
  for (const dram::TraceEntry& e : trace_) {
    const sc_core::sc_time at = clock_.time(e.cycle);
    if (at > sc_core::sc_time_stamp()) sc_core::wait(at - sc_core::sc_time_stamp());
    tlm::tlm_generic_payload& p = payloads_.acquire(e.write, e.address, request_bytes_).payload;
    tlm::tlm_phase phase = tlm::BEGIN_REQ;
    sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
    const tlm::tlm_sync_enum r = socket->nb_transport_fw(p, phase, delay);
    if (r == tlm::TLM_COMPLETED) {
      finished(p);  // refused (or served) at once; the request phase is over
    } else if (r == tlm::TLM_UPDATED && phase == tlm::END_REQ) {
      if (delay > sc_core::SC_ZERO_TIME) sc_core::wait(delay);  // the request phase ends then
    } else {
      sc_core::wait(end_req_);
    }
  }
}

tlm::tlm_sync_enum TracePlayer::nb_transport_bw(tlm::tlm_generic_payload& p, tlm::tlm_phase& phase,
                                                sc_core::sc_time&) {
  if (phase == tlm::END_REQ) {
    end_req_.notify(sc_core::SC_ZERO_TIME);
    return tlm::TLM_ACCEPTED;
  }
  if (phase == tlm::BEGIN_RESP) {
    finished(p);
    phase = tlm::END_RESP;
    return tlm::TLM_COMPLETED;
  }
  SC_REPORT_ERROR(name(), "unexpected TLM phase on the backward path");
  return tlm::TLM_ACCEPTED;
}

void TracePlayer::finished(tlm::tlm_generic_payload& p) {
  if (p.is_response_ok())
    ++completed_;
  else
    ++failed_;
  last_response_ = sc_core::sc_time_stamp();
  payloads_.release(p);
}

}  // namespace trine::models
