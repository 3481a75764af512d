#include "models/io/chip_io.hpp"

#include <algorithm>

#include "models/common/ahead_phase.hpp"
#include "models/common/timing_only.hpp"

namespace trine::models {

ChipIo::ChipIo(sc_core::sc_module_name name, const config::IoConfig& cfg, const ClockDomain& clock)
    : sc_core::sc_module(name),
      socket("socket"),
      cfg_(cfg),
      clock_(clock),
      stats_(this->name()),
      transactions_(stats_, "transactions", "transactions", "requests the link carried"),
      bytes_in_(stats_, "bytes_in", "bytes", "bytes from the host into the chip (reads)"),
      bytes_out_(stats_, "bytes_out", "bytes", "bytes from the chip to the host (writes)"),
      bits_(stats_, "bits", "bits", "data bits driven across the pins", {"io.bit", {}}),
      busy_cycles_(stats_, "busy_cycles", "cycles", "accelerator cycles the link carried data") {
  socket.register_nb_transport_fw(this, &ChipIo::nb_transport_fw);
  SC_METHOD(respond);
  sensitive << due_;
  dont_initialize();
}

tlm::tlm_sync_enum ChipIo::nb_transport_fw(tlm::tlm_generic_payload& p, tlm::tlm_phase& phase,
                                           sc_core::sc_time& delay) {
  if (phase == tlm::BEGIN_REQ) {
    begin(p, sc_core::sc_time_stamp() + delay);
    phase = tlm::END_REQ;  // queued at once: the link serializes what it holds
    return tlm::TLM_UPDATED;
  }
  if (phase == AHEAD) {
    answer_ahead();
    return tlm::TLM_ACCEPTED;
  }
  if (phase == tlm::END_RESP) return tlm::TLM_COMPLETED;
  SC_REPORT_ERROR(name(), "unexpected TLM phase on the forward path");
  return tlm::TLM_ACCEPTED;
}

void ChipIo::begin(tlm::tlm_generic_payload& p, const sc_core::sc_time& arrival) {
  const uint64_t bytes = p.get_data_length();
  if (!p.get_extension<TimingOnly>()) {
    p.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);  // the host keeps the bytes
  } else {
    p.set_response_status(tlm::TLM_OK_RESPONSE);
  }
  const int64_t cycles = static_cast<int64_t>((bytes * 8 + static_cast<uint64_t>(cfg_.bits) - 1) /
                                              static_cast<uint64_t>(cfg_.bits));
  const int64_t start = std::max(clock_.cycle_at_or_after(arrival), link_free_);
  link_free_ = start + cycles;
  pending_.push_back({&p, link_free_ + cfg_.latency_cycles});
  transactions_ += 1;
  (p.is_read() ? bytes_in_ : bytes_out_) += bytes;
  bits_ += bytes * 8;
  busy_cycles_ += static_cast<uint64_t>(cycles);
  if (pending_.size() == 1)
    due_.notify(clock_.time(pending_.front().done) - sc_core::sc_time_stamp());
}

void ChipIo::respond() {
  const int64_t now = clock_.cycle_at_or_after(sc_core::sc_time_stamp());
  while (!pending_.empty() && pending_.front().done <= now) {
    tlm::tlm_generic_payload& p = *pending_.front().payload;
    pending_.pop_front();
    tlm::tlm_phase phase = tlm::BEGIN_RESP;
    sc_core::sc_time zero = sc_core::SC_ZERO_TIME;
    socket->nb_transport_bw(p, phase, zero);  // the DMA completes it (TLM_COMPLETED)
  }
  if (!pending_.empty()) due_.notify(clock_.time(pending_.front().done) - sc_core::sc_time_stamp());
}

void ChipIo::answer_ahead() {
  due_.cancel();
  const sc_core::sc_time now = sc_core::sc_time_stamp();
  while (!pending_.empty()) {
    const Pending next = pending_.front();
    pending_.pop_front();
    tlm::tlm_phase phase = tlm::BEGIN_RESP;
    sc_core::sc_time delay = std::max(clock_.time(next.done), now) - now;
    socket->nb_transport_bw(*next.payload, phase, delay);
  }
}

}  // namespace trine::models
