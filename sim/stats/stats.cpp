#include "sim/stats/stats.hpp"

namespace trine::stats {

Counter::Counter(Group& group, std::string name, std::string unit, std::string description)
    : name_(std::move(name)), unit_(std::move(unit)), description_(std::move(description)) {
  group.add(this);
}

void Group::collect(std::vector<Record>& out) const {
  for (const Counter* c : counters_)
    out.push_back({path_, c->name(), c->unit(), c->description(), static_cast<double>(c->value())});
}

}  // namespace trine::stats
