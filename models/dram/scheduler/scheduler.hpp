#pragma once
// Request scheduling policy: which queued request's next command goes on the command bus.
// Chosen by name from the design point (dram.scheduler).
//
// Contract: `candidates` lists, oldest request first, the next command each schedulable
// request needs and the earliest cycle it may issue, except that a younger request needing
// the same command to the same bank as an older one (a read of the open row, a write to it,
// or the bank's ACT or PRE) is left out: it would be ready at the same cycle, so a policy
// must prefer the older of two equal candidates. choose() returns the first cycle >= now at
// which it would issue a candidate if nothing changed, and the candidate it would issue then
// (index -1, cycle kNever if none). It depends on `now` only through that cycle, so the
// choice stands at every cycle up to it while the candidates stand: the controller skips the
// cycles in between and issues it without asking again. A candidate marked `closes_hits` is
// a precharge of a row that other queued requests still hit; a policy may hold it back.
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "models/dram/command.hpp"
#include "models/dram/kinds.hpp"

namespace trine::dram {

constexpr int64_t kNever = std::numeric_limits<int64_t>::max();

struct Candidate {
  size_t request = 0;  // index in the controller's queue (oldest first)
  Command command = Command::ACT;
  int64_t ready = 0;
  bool row_hit = false;      // a column command to the open row
  bool closes_hits = false;  // a precharge that would close a row with queued hits
};

struct Choice {
  int index = -1;       // into the candidates
  int64_t at = kNever;  // the cycle it issues
};

class Scheduler {
 public:
  virtual ~Scheduler() = default;
  virtual Choice choose(const std::vector<Candidate>& candidates, int64_t now) const = 0;
};

std::vector<std::string> scheduler_names();
std::unique_ptr<Scheduler> make_scheduler(SchedulerKind kind);

}  // namespace trine::dram
