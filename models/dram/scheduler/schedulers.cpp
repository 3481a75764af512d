#include <algorithm>

#include "models/dram/scheduler/scheduler.hpp"
#include "sim/util/error.hpp"

namespace trine::dram {

namespace {

// First come, first served: only the oldest request moves.
class Fcfs : public Scheduler {
 public:
  Choice choose(const std::vector<Candidate>& c, int64_t now) const override {
    if (c.empty() || c.front().request != 0) return {};  // it waits for its rank's refresh
    return {0, std::max(now, c.front().ready)};
  }
};

// First ready, first come, first served (Rixner et al. 2000): ready row hits first, then the
// oldest ready command; a precharge never closes a row that queued requests still hit.
class FrFcfs : public Scheduler {
 public:
  Choice choose(const std::vector<Candidate>& c, int64_t now) const override {
    int64_t at = kNever;  // the first cycle one is ready
    for (const Candidate& x : c)
      if (!x.closes_hits) at = std::min(at, x.ready);
    if (at == kNever) return {};
    at = std::max(at, now);
    int first_ready = -1;
    for (size_t i = 0; i < c.size(); ++i) {
      if (c[i].closes_hits || c[i].ready > at) continue;
      if (c[i].row_hit) return {static_cast<int>(i), at};
      if (first_ready < 0) first_ready = static_cast<int>(i);
    }
    return {first_ready, at};
  }
};

}  // namespace

std::vector<std::string> scheduler_names() {
  return models::names_of(kSchedulers);
}

std::unique_ptr<Scheduler> make_scheduler(SchedulerKind kind) {
  if (kind == SchedulerKind::Fcfs) return std::make_unique<Fcfs>();
  return std::make_unique<FrFcfs>();
}

}  // namespace trine::dram
