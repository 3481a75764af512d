#pragma once
// The DMA engine: moves byte ranges between DRAM and the on-chip buffers with the TLM-2.0
// approximately-timed protocol, several requests in flight, jobs served in submission order
// (so a read after a write to the same place sees it). The controller submits jobs and waits
// for the ones it needs; everything else overlaps.
//
// Requests go out from the submitting process, each annotated with the delay until it may
// start (the job's start, or the end of the previous request phase), while the DRAM accepts
// them at once (END_REQ, with its delay, on the return path); behind a request the DRAM
// pushed back, the DMA's own method resumes at END_REQ. The order and times of requests are
// those of a thread that issued each one in the step it became possible; only the SystemC
// events in between are saved. Waiting for a job, the DMA sends AHEAD (ahead_phase.hpp): the
// controller is blocked, so nothing new comes before that job's end, and the DRAM may answer
// ahead of simulated time.
#include <tlm_utils/simple_initiator_socket.h>
#include <systemc>
#include <tlm>

#include <functional>
#include <memory>
#include <vector>

#include "models/common/payload_pool.hpp"
#include "models/common/ring.hpp"
#include "models/common/stats_walker.hpp"
#include "models/dram/clock.hpp"

namespace trine::models {

class Dma : public sc_core::sc_module, public HasStats {
 public:
  tlm_utils::simple_initiator_socket<Dma> dram;

  // `request_bytes`: the largest transaction sent to DRAM; a job is split at multiples of it,
  // as a bus DMA splits at its burst boundary (an unaligned split would make every request
  // straddle one DRAM burst more than it needs). `log`: keep a record of every job
  // (for traces; without it, a job's state is released once it has been waited for).
  // `ahead`: ask the DRAM to answer ahead while waiting (same times, fewer events).
  Dma(sc_core::sc_module_name name, const ClockDomain& clock, unsigned request_bytes,
      bool log = false, bool ahead = true);
  const stats::Group& statistics() const override { return stats_; }

  using Job = uint64_t;
  // A transfer that starts at `start` (now or later; not before an earlier job's start).
  Job submit(uint64_t addr, uint64_t bytes, bool write,
             const sc_core::sc_time& start = sc_core::SC_ZERO_TIME);
  // Waits (in a thread) until job `j` has finished; returns the clock cycle it finished in and
  // sets `*at` to the time it finished. Each job is waited for once.
  int64_t wait_for(Job j, sc_core::sc_time* at = nullptr);
  // The same, except that simulated time may stay behind the job's end when the DRAM told it
  // ahead: for a caller that keeps its own time and submits nothing to start before `*at`.
  int64_t finish_of(Job j, sc_core::sc_time* at = nullptr);

  // Every job so far, in submission order (with `log` only).
  struct JobRecord {
    uint64_t addr = 0, bytes = 0;
    bool write = false, done = false;
    int64_t submitted = 0, finished = 0;  // clock cycles
  };
  const std::vector<JobRecord>& job_log() const { return log_; }
  // Without the log (whose memory grows with the run): `f` hears of each job as it finishes,
  // and of the unfinished ones at report_unfinished() (traces of any length).
  using JobListener = std::function<void(Job, const JobRecord&)>;
  void set_job_listener(JobListener f) { listener_ = std::move(f); }
  void report_unfinished() const;

 private:
  SC_HAS_PROCESS(Dma);
  struct JobState {
    Job id = 0;
    uint64_t addr = 0, bytes = 0, issued = 0, completed = 0;
    bool write = false, done = false, waited = false;
    int64_t submit_cycle = 0, done_cycle = 0;
    sc_core::sc_time start, done_time;
    tlm::tlm_generic_payload* last = nullptr;  // the job's last request, while in flight
    sc_core::sc_event finished;
  };
  JobState& state(Job j) { return *jobs_[static_cast<size_t>(j - first_)]; }
  void issue();  // sends the requests that may go now, while the DRAM takes them at once
  tlm::tlm_sync_enum nb_transport_bw(tlm::tlm_generic_payload& p, tlm::tlm_phase& phase,
                                     sc_core::sc_time& delay);
  // A response `delay` from now (a DRAM answering ahead tells it early).
  void finished(tlm::tlm_generic_payload& p, const sc_core::sc_time& delay);
  void complete(JobState& j, const sc_core::sc_time& at);
  void release();  // recycles the states of the oldest jobs once done and waited for
  bool earlier_done(Job j) const;  // every job submitted before `j` has finished

  ClockDomain clock_;
  unsigned request_bytes_;
  bool log_jobs_, ahead_;
  Ring<std::unique_ptr<JobState>> jobs_;  // jobs first_, first_ + 1, ... not yet released
  std::vector<std::unique_ptr<JobState>> spare_;
  Job first_ = 0, next_ = 0;         // next_: the first job not fully issued
  mutable Job done_below_ = 0;       // every job before it is done (earlier_done's memo)
  bool blocked_ = false;             // a request awaits END_REQ
  sc_core::sc_time next_request_;    // when the last request phase ends (END_REQ's delay)
  PayloadPool<JobState*> payloads_;  // tagged with their job
  std::vector<JobRecord> log_;
  JobListener listener_;
  sc_core::sc_event resume_;  // a deferred start or END_REQ: issue() again
  stats::Group stats_;
  stats::Counter jobs_count_, requests_, bytes_read_, bytes_written_;
};

}  // namespace trine::models
