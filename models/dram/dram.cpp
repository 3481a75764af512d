#include "models/dram/dram.hpp"

#include <algorithm>

#include "models/common/ahead_phase.hpp"
#include "models/common/timing_only.hpp"
#include "sim/util/error.hpp"

namespace trine::models {

Dram::Dram(sc_core::sc_module_name name, const config::DramConfig& cfg, bool command_log)
    : sc_core::sc_module(name),
      socket("socket"),
      stats_(std::string(this->name())),
      memory_(cfg, stats_, command_log),
      clock_(cfg.device.timing.clock_hz),
      burst_(static_cast<uint64_t>(memory_.spec().burst_bytes)),
      peq_(this, &Dram::on_phase),
      transactions_count_(stats_, "transactions", "transactions", "TLM transactions served"),
      errors_(stats_, "errors", "transactions", "transactions refused (range, byte enables)") {
  socket.register_nb_transport_fw(this, &Dram::nb_transport_fw);
  socket.register_b_transport(this, &Dram::b_transport);
  socket.register_transport_dbg(this, &Dram::transport_dbg);
  SC_METHOD(tick);
  sensitive << tick_event_;
  dont_initialize();
  SC_METHOD(send_response);
  sensitive << response_event_;
  dont_initialize();
}

bool Dram::check(tlm::tlm_generic_payload& p) const {
  const uint64_t cap = memory_.spec().capacity;
  if (p.get_byte_enable_ptr() != nullptr) {
    p.set_response_status(tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE);
    return false;
  }
  if (p.get_data_length() == 0 || p.get_streaming_width() < p.get_data_length()) {
    p.set_response_status(tlm::TLM_BURST_ERROR_RESPONSE);
    return false;
  }
  if (p.get_address() >= cap || p.get_data_length() > cap - p.get_address()) {
    p.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
    return false;
  }
  if (p.get_command() == tlm::TLM_IGNORE_COMMAND) {
    p.set_response_status(tlm::TLM_COMMAND_ERROR_RESPONSE);
    return false;
  }
  return true;
}

uint64_t Dram::begin(tlm::tlm_generic_payload& p, sc_core::sc_event* blocking_done,
                     const sc_core::sc_time& arrival) {
  const bool write = p.is_write();
  if (p.get_extension<TimingOnly>() == nullptr) {
    if (write)
      memory_.storage().write(p.get_address(), p.get_data_ptr(), p.get_data_length());
    else
      memory_.storage().read(p.get_address(), p.get_data_ptr(), p.get_data_length());
  }
  const int64_t cycle = clock_.cycle_at_or_after(arrival);
  memory_.run_until(cycle);
  const uint64_t burst = burst_.divisor();
  const uint64_t first = burst_.quotient(p.get_address()),
                 last = burst_.quotient(p.get_address() + p.get_data_length() - 1);
  const uint64_t id = first_id_ + transactions_.size();
  Transaction& t = transactions_.emplace_back();
  t.payload = &p;
  t.bursts = last - first + 1;
  t.blocking_done = blocking_done;
  for (uint64_t b = first; b <= last; ++b) memory_.push(id, b * burst, write, cycle);
  transactions_count_ += 1;
  return id;  // the caller schedules the next wake-up, once it knows whether END_REQ is owed
}

tlm::tlm_sync_enum Dram::nb_transport_fw(tlm::tlm_generic_payload& p, tlm::tlm_phase& phase,
                                         sc_core::sc_time& delay) {
  if (phase == tlm::BEGIN_REQ && !check(p)) {
    errors_ += 1;
    phase = tlm::BEGIN_RESP;  // refused at once: the initiator sees the error response
    return tlm::TLM_COMPLETED;
  }
  if (phase == tlm::BEGIN_REQ) {
    // Taken now, as arriving at now + delay, rather than through the PEQ at that time: the
    // controller decides the cycles before the arrival from the requests that came before it,
    // which are all here (requests reach the target in arrival order, as one AT initiator's
    // do: its next BEGIN_REQ waits for this END_REQ). The outcome is the same, minus events.
    // END_REQ rides on the return path when every burst found room in the queue.
    sc_assert(requesting_ == 0 && "BEGIN_REQ before the previous END_REQ (TLM-2.0 rule)");
    const sc_core::sc_time arrival = sc_core::sc_time_stamp() + delay;
    if (arrival < promised_)
      SC_REPORT_ERROR(name(), "BEGIN_REQ arriving before the response its initiator awaited");
    requesting_ = begin(p, nullptr, arrival);
    answering_ = true;  // react() leaves an immediate END_REQ to the return path
    react();
    answering_ = false;
    if (requesting_ == 0) {
      schedule_tick();
      phase = tlm::END_REQ;  // at the arrival: `delay` stands
      return tlm::TLM_UPDATED;
    }
    // When the queue has room for every burst, they enter it in this cycle, and END_REQ would
    // follow at the start of the next: say so now, with that delay, and save the wake-up.
    const int64_t cycle = clock_.cycle_at_or_after(arrival);
    if (memory_.admits_pending_at(cycle)) {
      requesting_ = 0;
      schedule_tick();
      phase = tlm::END_REQ;
      delay = clock_.time(cycle + 1) - sc_core::sc_time_stamp();
      return tlm::TLM_UPDATED;
    }
    schedule_tick();
    return tlm::TLM_ACCEPTED;  // END_REQ follows on the backward path once the queue has room
  }
  if (phase == AHEAD) {
    ahead(p);
    return tlm::TLM_ACCEPTED;  // the phase itself changes nothing
  }
  peq_.notify(p, phase, delay);
  return tlm::TLM_ACCEPTED;
}

void Dram::ahead(tlm::tlm_generic_payload& p) {
  // Not while a request phase is open (the initiator may yet send the rest of a job) or a
  // response awaits its END_RESP.
  if (requesting_ != 0 || response_busy_ || answering_) return;
  uint64_t id = 0;
  for (size_t i = transactions_.size(); i-- > 0;)
    if (transactions_[i].live && transactions_[i].payload == &p) {
      id = first_id_ + i;
      break;
    }
  if (id == 0) return;
  // Every request that can arrive before `p`'s response is here: the decisions up to then are
  // those the controller makes as time passes.
  auto unfinished = [&] {
    for (uint64_t i = first_id_; i <= id; ++i) {
      const Transaction& t = transaction(i);
      if (t.live && t.completed < t.bursts) return true;
    }
    return false;
  };
  // Bursts may have been issued since the last collect (their completions are known at
  // issue): with a long CAS latency the queue can be empty while they are still in flight.
  collect();
  while (unfinished()) {
    const int64_t next = memory_.next_event();
    TRINE_ASSERT(next != dram::kNever, "a DRAM transaction in flight without work left");
    memory_.run_until(next + 1);
    collect();
  }
  int64_t until = 0;
  for (uint64_t i = first_id_; i <= id; ++i)
    if (transaction(i).live) until = std::max(until, transaction(i).last_done);
  promised_ = std::max(promised_, clock_.time(until));
  while (!response_busy_ && !ready_.empty() && ready_.front().first <= until) respond();
  schedule_tick();
  next_response();
}

void Dram::on_phase(tlm::tlm_generic_payload&, const tlm::tlm_phase& phase) {
  if (phase == tlm::BEGIN_REQ) {
    SC_REPORT_ERROR(name(), "BEGIN_REQ through the PEQ: nb_transport_fw takes it at once");
  } else if (phase == tlm::END_RESP) {
    response_busy_ = false;
    if (!ready_.empty()) response_event_.notify(sc_core::SC_ZERO_TIME);
  } else {
    SC_REPORT_ERROR(name(), "unexpected TLM phase on the forward path");
  }
}

void Dram::b_transport(tlm::tlm_generic_payload& p, sc_core::sc_time& delay) {
  if (!check(p)) {
    errors_ += 1;
    return;
  }
  sc_core::wait(delay);
  delay = sc_core::SC_ZERO_TIME;
  sc_core::sc_event done;
  begin(p, &done, sc_core::sc_time_stamp());
  schedule_tick();
  sc_core::wait(done);
  p.set_response_status(tlm::TLM_OK_RESPONSE);
}

unsigned Dram::transport_dbg(tlm::tlm_generic_payload& p) {
  const uint64_t cap = memory_.spec().capacity;
  if (p.get_address() >= cap) return 0;
  const unsigned n =
      static_cast<unsigned>(std::min<uint64_t>(p.get_data_length(), cap - p.get_address()));
  if (p.is_write())
    memory_.storage().write(p.get_address(), p.get_data_ptr(), n);
  else if (p.is_read())
    memory_.storage().read(p.get_address(), p.get_data_ptr(), n);
  p.set_response_status(tlm::TLM_OK_RESPONSE);
  return n;
}

void Dram::tick() {
  tick_pending_ = false;
  react();
  schedule_tick();
}

void Dram::react() {
  const int64_t now = clock_.cycle_at_or_after(sc_core::sc_time_stamp());
  memory_.run_until(now);
  collect();
  // END_REQ once the request phase's bursts have all entered the queue. Earlier transactions
  // were all admitted before their own END_REQ, so anything pending belongs to this one.
  if (requesting_ != 0 && memory_.pending() == 0) {
    if (!answering_) {
      tlm::tlm_phase phase = tlm::END_REQ;
      sc_core::sc_time zero = sc_core::SC_ZERO_TIME;
      socket->nb_transport_bw(*transaction(requesting_).payload, phase, zero);
    }
    requesting_ = 0;
  }
  // Responses due now go out from here (not from send_response a delta later), unless this
  // runs inside nb_transport_fw.
  while (!answering_ && !response_busy_ && !ready_.empty() &&
         clock_.time(ready_.front().first) <= sc_core::sc_time_stamp())
    respond();
  next_response();
}

void Dram::collect() {
  memory_.take_completions(completions_);
  for (const dram::Completion& c : completions_) {
    Transaction& t = transaction(c.tag);
    t.last_done = std::max(t.last_done, c.done);
    if (++t.completed == t.bursts) {
      if (t.blocking_done) {
        const sc_core::sc_time at = clock_.time(t.last_done), now = sc_core::sc_time_stamp();
        t.blocking_done->notify(at > now ? at - now : sc_core::SC_ZERO_TIME);
        retire(c.tag);
      } else {
        const std::pair<int64_t, uint64_t> entry{t.last_done, c.tag};
        ready_.insert(std::upper_bound(ready_.begin(), ready_.end(), entry), entry);
      }
    }
  }
}

void Dram::next_response() {
  if (ready_.empty() || response_busy_) return;
  const sc_core::sc_time at = clock_.time(ready_.front().first), now = sc_core::sc_time_stamp();
  response_event_.notify(at > now ? at - now : sc_core::SC_ZERO_TIME);
}

void Dram::send_response() {
  if (response_busy_ || ready_.empty()) return;
  const sc_core::sc_time at = clock_.time(ready_.front().first);
  if (at > sc_core::sc_time_stamp()) {
    response_event_.notify(at - sc_core::sc_time_stamp());
    return;
  }
  respond();
  if (!response_busy_ && !ready_.empty()) response_event_.notify(sc_core::SC_ZERO_TIME);
}

void Dram::respond() {
  const auto [done, id] = ready_.front();
  ready_.erase(ready_.begin());
  const Transaction t = transaction(id);
  retire(id);
  t.payload->set_response_status(tlm::TLM_OK_RESPONSE);
  tlm::tlm_phase phase = tlm::BEGIN_RESP;
  const sc_core::sc_time at = clock_.time(done), now = sc_core::sc_time_stamp();
  sc_core::sc_time delay = at > now ? at - now : sc_core::SC_ZERO_TIME;
  const tlm::tlm_sync_enum r = socket->nb_transport_bw(*t.payload, phase, delay);
  response_busy_ = !(r == tlm::TLM_COMPLETED || (r == tlm::TLM_UPDATED && phase == tlm::END_RESP));
}

void Dram::retire(uint64_t id) {
  transaction(id).live = false;
  while (!transactions_.empty() && !transactions_.front().live) {
    transactions_.pop_front();
    ++first_id_;
  }
}

void Dram::schedule_tick() {
  const int64_t next = memory_.next_event();
  if (next == dram::kNever) return;
  // Decisions for cycle `next` are made once every request of that cycle has arrived: at the
  // start of the following cycle. Unless an END_REQ is owed, nothing shows outside before the
  // earliest cycle a burst can complete: the controller makes the decisions of the cycles in
  // between then, or when the next request arrives (begin() catches up first), and they are
  // the same decisions, with fewer wake-ups.
  int64_t wake = next + 1;
  if (tick_pending_ && tick_at_ <= clock_.time(wake)) return;  // stands (see below)
  if (requesting_ == 0) wake = std::max(wake, memory_.earliest_done());
  const sc_core::sc_time at = clock_.time(wake);
  // A wake-up already due no later stands: an early one only finds less to do. (Cancelling
  // would leave a dead entry in the kernel's queue each time, and while an initiator keeps
  // the DRAM deciding ahead they pile up.)
  if (tick_pending_ && tick_at_ <= at) return;
  const sc_core::sc_time now = sc_core::sc_time_stamp();
  tick_event_.notify(at > now ? at - now : sc_core::SC_ZERO_TIME);
  tick_pending_ = true;
  tick_at_ = std::max(at, now);
}

void Dram::sync() {
  memory_.run_until(clock_.cycle_at_or_after(sc_core::sc_time_stamp()));
}

void Dram::finish() {
  memory_.finish(clock_.cycle_at_or_after(sc_core::sc_time_stamp()));
}

}  // namespace trine::models
