#pragma once
// Off-chip DRAM as a TLM-2.0 target: approximately-timed (BEGIN_REQ / END_REQ / BEGIN_RESP /
// END_RESP) with several transactions in flight, blocking transport for loosely-timed callers,
// and debug transport for loading data without time. A transaction of any length is split
// into bursts; END_REQ follows when its last burst enters the controller's queue (so a full
// queue pushes back on the initiator), BEGIN_RESP when its last burst's data has moved.
// Data is read and written when the request is accepted, in arrival order (except for a
// payload marked TimingOnly, models/common/timing_only.hpp). A BEGIN_REQ with an annotated
// delay is accepted at once as arriving then; requests must come in arrival order (one AT
// initiator's do; mixing in blocking transport from another thread may not). It answers the
// AHEAD phase (models/common/ahead_phase.hpp) by deciding ahead of simulated time.
#include <tlm_utils/peq_with_cb_and_phase.h>
#include <tlm_utils/simple_target_socket.h>
#include <systemc>
#include <tlm>

#include <cstdint>
#include <vector>

#include "models/common/ring.hpp"
#include "models/common/stats_walker.hpp"
#include "models/dram/clock.hpp"
#include "models/dram/memory.hpp"
#include "sim/util/divider.hpp"

namespace trine::models {

class Dram : public sc_core::sc_module, public HasStats {
 public:
  tlm_utils::simple_target_socket<Dram> socket;

  // `command_log`: keep every DRAM command (for traces and the protocol checker).
  Dram(sc_core::sc_module_name name, const config::DramConfig& cfg, bool command_log = false);

  const stats::Group& statistics() const override { return stats_; }
  dram::MemorySystem& memory() { return memory_; }
  const dram::MemorySystem& memory() const { return memory_; }
  const ClockDomain& clock() const { return clock_; }
  // Runs the controller up to the current time (refreshes of idle stretches included) and
  // sets the derived statistics; call once the simulation is over.
  void finish();
  // Runs the controller up to the current time, so that its statistics are current (commands
  // issued and refreshes due before now); timing is unaffected.
  void sync();

 private:
  SC_HAS_PROCESS(Dram);
  struct Transaction {
    tlm::tlm_generic_payload* payload = nullptr;
    uint64_t bursts = 0, completed = 0;
    int64_t last_done = 0;
    sc_core::sc_event* blocking_done = nullptr;  // set for b_transport callers
    bool live = true;
  };
  // Transactions by id, in arrival order: ids are consecutive from first_id_.
  Transaction& transaction(uint64_t id) { return transactions_[id - first_id_]; }
  void retire(uint64_t id);  // done with `id`; drops the finished ones at the front

  tlm::tlm_sync_enum nb_transport_fw(tlm::tlm_generic_payload& p, tlm::tlm_phase& phase,
                                     sc_core::sc_time& delay);
  void b_transport(tlm::tlm_generic_payload& p, sc_core::sc_time& delay);
  unsigned transport_dbg(tlm::tlm_generic_payload& p);
  void on_phase(tlm::tlm_generic_payload& p, const tlm::tlm_phase& phase);

  bool check(tlm::tlm_generic_payload& p) const;  // sets the error response; false on error
  // Accepts a transaction arriving at `arrival` (now or later; arrivals come in time order).
  uint64_t begin(tlm::tlm_generic_payload& p, sc_core::sc_event* blocking_done,
                 const sc_core::sc_time& arrival);
  void tick();     // react(), then the next wake-up
  void react();    // advances the controller to now and reacts to what it found
  void collect();  // takes the controller's completions: finished transactions become ready
  // AHEAD on `p`: decides until `p` and every earlier transaction have finished and sends
  // their responses (and any others finished by then) early; nothing if it cannot.
  void ahead(tlm::tlm_generic_payload& p);
  void send_response();
  void next_response();  // response_event_ at the first ready response, unless one is out
  // BEGIN_RESP of the first ready transaction, due now (or, deciding ahead, when it is due).
  void respond();
  void schedule_tick();

  stats::Group stats_;
  dram::MemorySystem memory_;
  ClockDomain clock_;
  util::Divider burst_;  // bytes per burst (two divides per transaction otherwise)
  tlm_utils::peq_with_cb_and_phase<Dram> peq_;
  sc_core::sc_event tick_event_, response_event_;
  bool tick_pending_ = false;  // tick_event_ is due at tick_at_
  sc_core::sc_time tick_at_;
  Ring<Transaction> transactions_;
  uint64_t first_id_ = 1;                            // 0 means none (requesting_)
  uint64_t requesting_ = 0;                          // transaction in its request phase, or 0
  std::vector<std::pair<int64_t, uint64_t>> ready_;  // (done cycle, id) awaiting BEGIN_RESP, sorted
  std::vector<dram::Completion> completions_;        // tick()'s, storage reused
  bool response_busy_ = false;                       // a BEGIN_RESP awaits its END_RESP
  bool answering_ = false;                           // inside nb_transport_fw's BEGIN_REQ
  sc_core::sc_time promised_;  // AHEAD's promise: no BEGIN_REQ arriving before this
  stats::Counter transactions_count_, errors_;
};

}  // namespace trine::models
