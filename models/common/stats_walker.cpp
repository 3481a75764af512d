#include "models/common/stats_walker.hpp"

namespace trine::models {

// Calls visit(group) for every statistics group of `obj`'s subtree, in tree order.
template <typename Visit>
static void walk(const sc_core::sc_object& obj, const Visit& visit) {
  if (const auto* s = dynamic_cast<const HasStats*>(&obj)) visit(s->statistics());
  for (const sc_core::sc_object* child : obj.get_child_objects()) walk(*child, visit);
}

std::vector<stats::Record> collect_statistics(const sc_core::sc_object& root) {
  std::vector<stats::Record> out;
  walk(root, [&](const stats::Group& g) { g.collect(out); });
  return out;
}

stats::CounterSet collect_counters(const sc_core::sc_object& root) {
  stats::CounterSet out;
  walk(root, [&](const stats::Group& g) { g.counters(out); });
  return out;
}

}  // namespace trine::models
