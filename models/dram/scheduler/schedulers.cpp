#include <algorithm>

#include "models/dram/scheduler/scheduler.hpp"
#include "sim/util/error.hpp"

namespace trine::dram {

namespace {

// First come, first served: only the oldest request moves.
class Fcfs : public Scheduler {
 public:
  int choose(const std::vector<Candidate>& c, int64_t now, int64_t& wake) const override {
    if (c.empty() || c.front().request != 0) {
      wake = kNever;  // the oldest request waits for its rank's refresh
      return -1;
    }
    wake = c.front().ready;
    return c.front().ready <= now ? 0 : -1;
  }
};

// First ready, first come, first served (Rixner et al. 2000): ready row hits first, then the
// oldest ready command; a precharge never closes a row that queued requests still hit.
class FrFcfs : public Scheduler {
 public:
  int choose(const std::vector<Candidate>& c, int64_t now, int64_t& wake) const override {
    wake = kNever;
    int first_ready = -1;
    for (size_t i = 0; i < c.size(); ++i) {
      if (c[i].closes_hits) continue;
      wake = std::min(wake, c[i].ready);
      if (c[i].ready > now) continue;
      if (c[i].row_hit) return static_cast<int>(i);
      if (first_ready < 0) first_ready = static_cast<int>(i);
    }
    return first_ready;
  }
};

}  // namespace

std::vector<std::string> scheduler_names() {
  return {"fcfs", "fr-fcfs"};
}

std::unique_ptr<Scheduler> make_scheduler(const std::string& name) {
  if (name == "fcfs") return std::make_unique<Fcfs>();
  if (name == "fr-fcfs") return std::make_unique<FrFcfs>();
  throw InputError("unknown DRAM scheduler '" + name + "'");
}

}  // namespace trine::dram
