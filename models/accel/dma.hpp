#pragma once
// The DMA engine: moves byte ranges between DRAM and the on-chip buffers with the TLM-2.0
// approximately-timed protocol, several requests in flight, jobs served in submission order
// (so a read after a write to the same place sees it). The controller submits jobs and waits
// for the ones it needs; everything else overlaps.
#include <tlm_utils/simple_initiator_socket.h>
#include <systemc>
#include <tlm>

#include <memory>
#include <vector>

#include "models/common/stats_walker.hpp"
#include "models/dram/clock.hpp"

namespace trine::models {

class Dma : public sc_core::sc_module, public HasStats {
 public:
  tlm_utils::simple_initiator_socket<Dma> dram;

  // `request_bytes`: the largest transaction sent to DRAM.
  Dma(sc_core::sc_module_name name, const ClockDomain& clock, unsigned request_bytes);
  const stats::Group& statistics() const override { return stats_; }

  using Job = size_t;
  Job submit(uint64_t addr, uint64_t bytes, bool write);
  bool done(Job j) const { return jobs_[j]->done; }
  // Waits (in a thread) until job `j` has finished; returns the clock cycle it finished in.
  int64_t wait_for(Job j);

  // Every job so far, in submission order (for traces).
  struct JobRecord {
    uint64_t addr = 0, bytes = 0;
    bool write = false, done = false;
    int64_t submitted = 0, finished = 0;  // clock cycles
  };
  std::vector<JobRecord> job_log() const;

 private:
  SC_HAS_PROCESS(Dma);
  struct JobState {
    uint64_t addr = 0, bytes = 0, completed = 0;
    bool write = false, done = false;
    int64_t submit_cycle = 0, done_cycle = 0;
    sc_core::sc_event finished;
  };
  struct Slot {
    tlm::tlm_generic_payload payload;
    std::vector<unsigned char> data;
    Job job = 0;
  };
  void run();
  tlm::tlm_sync_enum nb_transport_bw(tlm::tlm_generic_payload& p, tlm::tlm_phase& phase,
                                     sc_core::sc_time& delay);
  void finished(tlm::tlm_generic_payload& p);
  void complete(JobState& j);

  ClockDomain clock_;
  unsigned request_bytes_;
  std::vector<std::unique_ptr<JobState>> jobs_;
  size_t next_ = 0;  // first job not fully issued
  std::vector<std::unique_ptr<Slot>> slots_;
  std::vector<Slot*> free_;
  sc_core::sc_event work_, end_req_;
  stats::Group stats_;
  stats::Counter jobs_count_, requests_, bytes_read_, bytes_written_;
};

}  // namespace trine::models
