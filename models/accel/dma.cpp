#include "models/accel/dma.hpp"

namespace trine::models {

Dma::Dma(sc_core::sc_module_name name, const ClockDomain& clock, unsigned request_bytes)
    : sc_core::sc_module(name),
      dram("dram"),
      clock_(clock),
      request_bytes_(request_bytes),
      stats_(this->name()),
      jobs_count_(stats_, "jobs", "jobs", "transfers the controller asked for"),
      requests_(stats_, "requests", "transactions", "TLM transactions sent to DRAM"),
      bytes_read_(stats_, "bytes_read", "bytes", "bytes read from DRAM"),
      bytes_written_(stats_, "bytes_written", "bytes", "bytes written to DRAM") {
  dram.register_nb_transport_bw(this, &Dma::nb_transport_bw);
  SC_THREAD(run);
}

Dma::Job Dma::submit(uint64_t addr, uint64_t bytes, bool write) {
  jobs_.push_back(std::make_unique<JobState>());
  JobState& j = *jobs_.back();
  j.addr = addr, j.bytes = bytes, j.write = write;
  j.submit_cycle = clock_.cycle_at_or_after(sc_core::sc_time_stamp());
  jobs_count_ += 1;
  (write ? bytes_written_ : bytes_read_) += bytes;
  if (bytes == 0) complete(j);
  work_.notify(sc_core::SC_ZERO_TIME);
  return jobs_.size() - 1;
}

int64_t Dma::wait_for(Job j) {
  JobState& s = *jobs_[j];
  if (!s.done) sc_core::wait(s.finished);
  return s.done_cycle;
}

std::vector<Dma::JobRecord> Dma::job_log() const {
  std::vector<JobRecord> out;
  for (const auto& j : jobs_)
    out.push_back({j->addr, j->bytes, j->write, j->done, j->submit_cycle, j->done_cycle});
  return out;
}

void Dma::complete(JobState& j) {
  j.done = true;
  j.done_cycle = clock_.cycle_at_or_after(sc_core::sc_time_stamp());
  j.finished.notify(sc_core::SC_ZERO_TIME);
}

void Dma::run() {
  for (;;) {
    while (next_ == jobs_.size()) sc_core::wait(work_);
    JobState& j = *jobs_[next_];
    for (uint64_t off = 0; off < j.bytes; off += request_bytes_) {
      const unsigned len = static_cast<unsigned>(std::min<uint64_t>(request_bytes_, j.bytes - off));
      if (free_.empty()) {
        slots_.push_back(std::make_unique<Slot>());
        slots_.back()->data.assign(request_bytes_, 0);
        free_.push_back(slots_.back().get());
      }
      Slot* s = free_.back();
      free_.pop_back();
      s->job = next_;
      tlm::tlm_generic_payload& p = s->payload;
      p.set_command(j.write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
      p.set_address(j.addr + off);
      p.set_data_ptr(s->data.data());
      p.set_data_length(len);
      p.set_streaming_width(len);
      p.set_byte_enable_ptr(nullptr);
      p.set_dmi_allowed(false);
      p.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
      requests_ += 1;
      tlm::tlm_phase phase = tlm::BEGIN_REQ;
      sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
      const tlm::tlm_sync_enum r = dram->nb_transport_fw(p, phase, delay);
      if (r == tlm::TLM_COMPLETED)
        finished(p);
      else if (!(r == tlm::TLM_UPDATED && phase == tlm::END_REQ))
        sc_core::wait(end_req_);
    }
    ++next_;
  }
}

tlm::tlm_sync_enum Dma::nb_transport_bw(tlm::tlm_generic_payload& p, tlm::tlm_phase& phase,
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

void Dma::finished(tlm::tlm_generic_payload& p) {
  if (!p.is_response_ok()) SC_REPORT_ERROR(name(), "DRAM refused a transfer");
  for (auto& s : slots_)
    if (&s->payload == &p) {
      free_.push_back(s.get());
      JobState& j = *jobs_[s->job];
      j.completed += p.get_data_length();
      if (j.completed == j.bytes) complete(j);
      return;
    }
}

}  // namespace trine::models
