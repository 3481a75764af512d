#pragma once
// Collects declared statistics by walking the SystemC object tree: every module that carries
// statistics implements HasStats, so nothing needs a central list of components.
#include <systemc>
#include <vector>

#include "sim/stats/stats.hpp"

namespace trine::models {

class HasStats {
 public:
  virtual ~HasStats() = default;
  virtual const stats::Group& statistics() const = 0;
};

// Statistics of `root` and everything below it, in tree order (deterministic).
std::vector<stats::Record> collect_statistics(const sc_core::sc_object& root);
// The counters of `root` and everything below it, in the same order.
stats::CounterSet collect_counters(const sc_core::sc_object& root);

}  // namespace trine::models
