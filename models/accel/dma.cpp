#include "models/accel/dma.hpp"

#include <stdexcept>

#include "models/common/ahead_phase.hpp"

namespace trine::models {

Dma::Dma(sc_core::sc_module_name name, const ClockDomain& clock, unsigned request_bytes, bool log,
         bool ahead)
    : sc_core::sc_module(name),
      dram("dram"),
      clock_(clock),
      request_bytes_(request_bytes),
      log_jobs_(log),
      ahead_(ahead),
      payloads_(request_bytes, true),  // the controller's values do not travel with the bytes
      stats_(this->name()),
      jobs_count_(stats_, "jobs", "jobs", "transfers the controller asked for"),
      requests_(stats_, "requests", "transactions", "TLM transactions sent to DRAM"),
      bytes_read_(stats_, "bytes_read", "bytes", "bytes read from DRAM"),
      bytes_written_(stats_, "bytes_written", "bytes", "bytes written to DRAM") {
  dram.register_nb_transport_bw(this, &Dma::nb_transport_bw);
  SC_METHOD(issue);
  sensitive << resume_;
  dont_initialize();
}

Dma::Job Dma::submit(uint64_t addr, uint64_t bytes, bool write, const sc_core::sc_time& start) {
  std::unique_ptr<JobState> s;
  if (spare_.empty()) {
    s = std::make_unique<JobState>();
  } else {
    s = std::move(spare_.back());
    spare_.pop_back();
  }
  const Job id = first_ + jobs_.size();
  s->id = id;
  s->addr = addr, s->bytes = bytes, s->write = write;
  s->issued = s->completed = 0;
  s->done = s->waited = false;
  s->start = std::max(start, sc_core::sc_time_stamp());
  sc_assert((jobs_.empty() || s->start >= jobs_.back()->start) && "DMA jobs start in order");
  s->submit_cycle = clock_.cycle_at_or_after(s->start);
  s->done_cycle = 0;
  s->last = nullptr;
  s->finished.cancel();  // a recycled state's last notification must not wake this job's waiter
  jobs_.push_back(std::move(s));
  if (log_jobs_) log_.push_back({addr, bytes, write, false, jobs_.back()->submit_cycle, 0});
  jobs_count_ += 1;
  (write ? bytes_written_ : bytes_read_) += bytes;
  if (bytes == 0) {
    if (jobs_.back()->start > sc_core::sc_time_stamp())
      throw std::logic_error("DMA: an empty job cannot start later");
    complete(*jobs_.back(), sc_core::sc_time_stamp());
  }
  if (!blocked_) issue();
  return id;
}

int64_t Dma::wait_for(Job j, sc_core::sc_time* at) {
  sc_core::sc_time end;
  const int64_t cycle = finish_of(j, &end);
  if (end > sc_core::sc_time_stamp()) sc_core::wait(end - sc_core::sc_time_stamp());
  if (at) *at = end;
  return cycle;
}

int64_t Dma::finish_of(Job j, sc_core::sc_time* at) {
  JobState& s = state(j);
  // Every request of every job is out, none pushed back, and the jobs before this one are
  // done: the DRAM has seen all that can arrive before this job's end, and may answer ahead.
  if (!s.done && ahead_ && !blocked_) issue();  // (after an END_REQ, the method may not have)
  if (!s.done && ahead_ && !blocked_ && next_ == first_ + jobs_.size() && s.last &&
      earlier_done(j)) {
    tlm::tlm_phase phase = AHEAD;
    sc_core::sc_time zero = sc_core::SC_ZERO_TIME;
    dram->nb_transport_fw(*s.last, phase, zero);
  }
  while (!s.done) sc_core::wait(s.finished);
  const int64_t cycle = s.done_cycle;
  if (at) *at = s.done_time;
  s.waited = true;
  release();
  return cycle;
}

bool Dma::earlier_done(Job j) const {
  // Jobs before done_below_ are all done (a done job stays done): a banded layer waits for
  // thousands of jobs in a row, and rescanning from the first would be quadratic.
  done_below_ = std::max(done_below_, first_);
  while (done_below_ < j && jobs_[static_cast<size_t>(done_below_ - first_)]->done) ++done_below_;
  if (done_below_ < j) return false;
  return true;
}

void Dma::report_unfinished() const {
  if (!listener_) return;
  for (size_t i = 0; i < jobs_.size(); ++i) {
    const JobState& j = *jobs_[i];
    if (!j.done) listener_(j.id, {j.addr, j.bytes, j.write, false, j.submit_cycle, 0});
  }
}

void Dma::release() {
  if (log_jobs_) return;  // the log keeps every job; states stay too (a trace is short)
  while (!jobs_.empty() && jobs_.front()->done && jobs_.front()->waited && first_ < next_) {
    spare_.push_back(std::move(jobs_.front()));
    jobs_.pop_front();
    ++first_;
  }
}

void Dma::complete(JobState& j, const sc_core::sc_time& at) {
  j.done = true;
  j.done_time = at;
  j.done_cycle = clock_.cycle_at_or_after(j.done_time);
  if (log_jobs_) {
    log_[static_cast<size_t>(j.id)].done = true;
    log_[static_cast<size_t>(j.id)].finished = j.done_cycle;
  }
  if (listener_) listener_(j.id, {j.addr, j.bytes, j.write, true, j.submit_cycle, j.done_cycle});
  j.finished.notify();  // immediate: a waiting controller runs in this same evaluation phase
}

void Dma::issue() {
  while (!blocked_ && next_ < first_ + jobs_.size()) {
    JobState& j = state(next_);
    if (j.issued == j.bytes) {
      ++next_;
      continue;
    }
    const sc_core::sc_time now = sc_core::sc_time_stamp();
    // A request that may go only later is sent now with that delay: the target takes it as
    // arriving then.
    const sc_core::sc_time may = std::max({j.start, next_request_, now});
    // Up to the next multiple of request_bytes (a job's first and last may be shorter).
    const uint64_t from = j.addr + j.issued;
    const unsigned len = static_cast<unsigned>(
        std::min<uint64_t>(request_bytes_ - from % request_bytes_, j.bytes - j.issued));
    PayloadPool<JobState*>::Slot& s = payloads_.acquire(j.write, from, len);
    s.tag = &j;
    tlm::tlm_generic_payload& p = s.payload;
    j.last = &p;
    j.issued += len;
    requests_ += 1;
    tlm::tlm_phase phase = tlm::BEGIN_REQ;
    sc_core::sc_time delay = may - now;
    const tlm::tlm_sync_enum r = dram->nb_transport_fw(p, phase, delay);
    if (r == tlm::TLM_COMPLETED)
      finished(p, sc_core::SC_ZERO_TIME);
    else if (r == tlm::TLM_UPDATED && phase == tlm::END_REQ)
      next_request_ = now + delay;  // the request phase ends then
    else
      blocked_ = true;  // END_REQ comes later, on the backward path
  }
}

tlm::tlm_sync_enum Dma::nb_transport_bw(tlm::tlm_generic_payload& p, tlm::tlm_phase& phase,
                                        sc_core::sc_time& delay) {
  if (phase == tlm::END_REQ) {
    blocked_ = false;
    if (next_ < first_ + jobs_.size()) resume_.notify(sc_core::SC_ZERO_TIME);
    return tlm::TLM_ACCEPTED;
  }
  if (phase == tlm::BEGIN_RESP) {
    finished(p, delay);
    phase = tlm::END_RESP;
    return tlm::TLM_COMPLETED;
  }
  SC_REPORT_ERROR(name(), "unexpected TLM phase on the backward path");
  return tlm::TLM_ACCEPTED;
}

void Dma::finished(tlm::tlm_generic_payload& p, const sc_core::sc_time& delay) {
  if (!p.is_response_ok()) SC_REPORT_ERROR(name(), "DRAM refused a transfer");
  if (PayloadPool<JobState*>::Slot* s = payloads_.release(p)) {
    JobState& j = *s->tag;
    if (j.last == &p) j.last = nullptr;
    j.completed += p.get_data_length();
    if (j.completed == j.bytes) complete(j, sc_core::sc_time_stamp() + delay);
  }
}

}  // namespace trine::models
