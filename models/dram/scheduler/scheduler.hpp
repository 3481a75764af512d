#pragma once
// Request scheduling policy: which queued request's next command goes on the command bus.
// Chosen by name from the design point (dram.scheduler).
//
// Contract: `candidates` lists, oldest request first, the next command each schedulable
// request needs and the earliest cycle it may issue, except that a younger request needing
// the same command to the same bank as an older one (a read of the open row, a write to it,
// or the bank's ACT or PRE) is left out: it would be ready at the same cycle, so a policy
// must prefer the older of two equal candidates. choose() returns the index of a candidate
// with ready <= now, or -1; in both cases it sets `wake` to the earliest cycle at which it
// would choose one if nothing changed (kNever if none), so the controller can skip the
// cycles in between. A candidate marked `closes_hits` is a precharge of a row that other
// queued requests still hit; a policy may hold it back.
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "models/dram/command.hpp"

namespace trine::dram {

constexpr int64_t kNever = std::numeric_limits<int64_t>::max();

struct Candidate {
  size_t request = 0;  // index in the controller's queue (oldest first)
  Command command = Command::ACT;
  int64_t ready = 0;
  bool row_hit = false;      // a column command to the open row
  bool closes_hits = false;  // a precharge that would close a row with queued hits
};

class Scheduler {
 public:
  virtual ~Scheduler() = default;
  virtual int choose(const std::vector<Candidate>& candidates, int64_t now,
                     int64_t& wake) const = 0;
};

std::vector<std::string> scheduler_names();
std::unique_ptr<Scheduler> make_scheduler(const std::string& name);

}  // namespace trine::dram
