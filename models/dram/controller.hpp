#pragma once
// One channel's memory controller and the state of its devices, as a plain class in device
// clock cycles: requests queue, the scheduler picks commands, every JEDEC constraint is kept
// as the earliest cycle each command may issue, and idle stretches are skipped rather than
// stepped. The SystemC target (dram.hpp) and the tests drive it.
#include <algorithm>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "models/common/ring.hpp"
#include "models/dram/command.hpp"
#include "models/dram/mapping/mapping.hpp"
#include "models/dram/page_policy/page_policy.hpp"
#include "models/dram/scheduler/scheduler.hpp"
#include "models/dram/spec.hpp"
#include "sim/stats/stats.hpp"

namespace trine::dram {

// One burst-sized request.
struct Request {
  uint64_t tag = 0;  // the caller's, returned with the completion
  bool write = false;
  int64_t arrival = 0;  // cycle it reaches the controller
  DramAddress at;
};

struct Completion {
  uint64_t tag = 0;
  bool write = false;
  int64_t arrival = 0;
  int64_t admitted = 0;  // cycle it entered the scheduling queue
  int64_t done = 0;      // cycle its last data beat is on the bus
};

// Statistics of one channel, declared in the owner's group under "chN.".
struct ChannelStats {
  ChannelStats(stats::Group& g, const DramSpec& spec, int channel);
  // Per bank, counted on every command: the counts sit together in `banks` and the declared
  // counters read them (stats::Counter::keep_in), so counting touches no counter object.
  struct Bank {
    uint64_t activates = 0, precharges = 0, reads = 0, writes = 0, hits = 0, misses = 0,
             conflicts = 0;
  };
  std::vector<Bank> banks;  // rank-major, then group, then bank; never resized
  std::vector<std::unique_ptr<stats::Counter>> bank_counters;
  stats::Counter activates, precharges, reads, writes, row_hits, row_misses, row_conflicts;
  stats::Counter refreshes, bytes_read, bytes_written, data_bus_busy;
  stats::Counter active_cycles;  // rank-cycles with a row open (active standby)
  // Rank-cycles in precharge and active power-down, and power-down entries (dram.power_down).
  stats::Counter powerdown_precharged, powerdown_active, powerdowns;
  stats::Distribution read_latency, write_latency;
};

class ChannelController {
 public:
  // `log`, when given, receives every command in issue order.
  // `power_down_idle`: cycles without a request before the ranks power down (0: never).
  ChannelController(const DramSpec& spec, int channel, const PagePolicy& page,
                    const Scheduler& scheduler, int queue_depth, ChannelStats& stats,
                    std::vector<CommandRecord>* log, int64_t power_down_idle = 0);
  // `f` hears of every command as it issues (traces: nothing kept here).
  void set_listener(std::function<void(const CommandRecord&)> f) { listener_ = std::move(f); }

  // A burst at `address` (mapped by `mapping` to this channel) arriving at cycle
  // `arrival` >= now(); it waits until the queue has room.
  void push(uint64_t tag, bool write, int64_t arrival, uint64_t address,
            const AddressMapping& mapping);
  // Makes every decision for the cycles before `cycle`; now() becomes `cycle`.
  void run_until(int64_t cycle);
  // The earliest cycle >= now() at which run_until has work (a command or an admission), or
  // kNever when no request is waiting. Refresh of an idle channel needs no wake-up: it is
  // caught up by the next run_until.
  int64_t next_event() const;
  // A lower bound on the cycle the next burst can complete (its last data beat), from the
  // timing constraints as they stand: every later command only delays things. kNever when
  // idle. Until then nothing is visible outside the controller but END_REQ timing.
  int64_t earliest_done() const;
  int64_t now() const { return now_; }
  bool idle() const { return queue_.empty() && pending_.empty(); }
  size_t pending() const { return pending_.size(); }  // arrived, not yet admitted
  // Whether every pending request enters the queue at `cycle` == now(): admission comes first
  // in a cycle, and only earlier cycles' decisions fill the queue.
  bool admits_pending_at(int64_t cycle) const {
    return cycle == now_ && queue_.size() + pending_.size() <= depth_ &&
           (pending_.empty() || pending_.back().arrival <= cycle);
  }
  // Completions found so far (done may lie after now()); the caller takes them.
  std::vector<Completion>& completions() { return done_; }

 private:
  [[noreturn]] void stalled() const;
  struct Bank {
    int64_t open_row = -1;
    int64_t next_act = 0, next_pre = 0, next_rd = 0, next_wr = 0;
    int hit_streak = 0;  // column commands since the row opened, for starvation control
  };
  struct Group {
    int64_t next_act = 0, next_rd = 0, next_wr = 0;
  };
  struct Rank {
    int64_t next_act = 0, next_rd = 0, next_wr = 0;
    int64_t refresh_due = 0;
    models::Ring<int64_t> recent_acts;  // the last four, for tFAW
    int open_banks = 0;                 // for active-standby time
    int64_t open_since = 0;             // cycle since which open time is not yet counted
  };
  struct Queued {
    Request r;
    int64_t admitted = 0;
    size_t bank = 0, group = 0;  // indices into banks_ and groups_
    int8_t kind = -1;            // 0 hit, 1 miss, 2 conflict: set by the request's first command
  };

  size_t bank_index(const DramAddress& a) const;
  size_t group_index(const DramAddress& a) const;
  int64_t ready(Command c, const DramAddress& a) const {
    return ready(c, bank_index(a), group_index(a), a.rank);
  }
  // The earliest cycle command `c` may issue to a bank (indices into banks_ and groups_).
  int64_t ready(Command c, size_t bank, size_t group, int32_t rank) const {
    const Bank& b = banks_[bank];
    const Group& g = groups_[group];
    const Rank& r = ranks_[static_cast<size_t>(rank)];
    switch (c) {
      case Command::ACT: {
        int64_t t = std::max({next_cmd_, b.next_act, g.next_act, r.next_act});
        if (r.recent_acts.size() == 4) t = std::max(t, r.recent_acts.front() + s_.t.tFAW);
        return t;
      }
      case Command::PRE:
        return std::max(next_cmd_, b.next_pre);
      case Command::RD:
      case Command::RDA:
        return std::max({next_cmd_, b.next_rd, g.next_rd, r.next_rd});
      case Command::WR:
      case Command::WRA:
        return std::max({next_cmd_, b.next_wr, g.next_wr, r.next_wr});
      case Command::REF:
      case Command::PDE:
      case Command::PDX:
      case Command::PREA:
        break;
    }
    no_ready_rule();
  }
  [[noreturn]] static void no_ready_rule();
  // The next refresh command of a rank whose refresh is due, or false.
  bool refresh_command(int64_t now, CommandRecord& out, int64_t& ready_at) const;
  void build_candidates(int64_t now);
  void issue(const CommandRecord& c);
  void admit(int64_t now);
  bool refresh_due(int rank, int64_t now) const { return ranks_[rank].refresh_due <= now; }
  // A bank of `rk` opens or closes at `at`; counts the rank's time with a row open.
  void bank_opens(Rank& rk, int64_t at);
  void bank_closes(Rank& rk, int64_t at);
  void count_open_time(int64_t upto);
  // Power-down (all ranks of the channel together): the cycle the ranks may enter it, given
  // the state (kNever when they may not); entry and exit, logged per rank; residency counted.
  int64_t power_down_entry() const;
  void enter_power_down(int64_t at);
  void exit_power_down(int64_t at);
  void count_power_down(int64_t upto);
  void log_command(const CommandRecord& c);

  const DramSpec& s_;
  int channel_;
  const PagePolicy& page_;
  const Scheduler& scheduler_;
  size_t depth_;
  ChannelStats& stats_;
  std::vector<CommandRecord>* log_;
  std::function<void(const CommandRecord&)> listener_;

  int64_t now_ = 0;
  // Watchdog: the last cycle a request completed or the queue was empty, and how long a
  // queued request may go without any completing before the controller calls it a livelock
  // (the design point's checks should make that impossible; this catches what they miss).
  int64_t progress_at_ = 0;
  int64_t stall_limit_ = 0;
  int64_t wake_ = 0;      // the next cycle with work, as far as the state tells
  int64_t next_cmd_ = 0;  // command bus: one command per cycle
  std::vector<Bank> banks_;
  std::vector<Group> groups_;
  std::vector<Rank> ranks_;
  models::Ring<Request> pending_;  // arrived or future, not yet admitted
  std::vector<Queued> queue_;      // admitted, oldest first
  std::vector<Candidate> candidates_;
  bool candidates_current_ = false;     // no command or admission since they were built
  Choice choice_;                       // the scheduler's, while choice_current_
  bool choice_current_ = false;         // made from the current candidates
  uint64_t candidates_refreshing_ = 0;  // ranks with a refresh due when they were built
  std::vector<int> queued_hits_;  // per bank: queued requests that hit its open row (kept current)
  std::vector<uint32_t> kind_stamp_;  // per bank and request kind: stamp_ once it has a candidate
  uint32_t stamp_ = 0;                // build_candidates() calls, mod 2^32
  int64_t first_refresh_due_ = 0;     // the earliest refresh_due of all ranks
  std::vector<Completion> done_;
  // Power-down: the policy, the state (0 up, 1 precharge power-down, 2 active power-down), its
  // entry cycle, the cycle up to which its residency is counted, the last command's cycle
  // (idle time counts from it) and the first cycle its effects allow an entry (read data out,
  // write recovered, refresh done).
  int64_t pd_idle_ = 0;
  int pd_state_ = 0;
  int64_t pd_entered_ = 0, pd_counted_ = 0;
  int64_t last_command_ = 0, quiet_at_ = 0;
};

}  // namespace trine::dram
