#include "models/common/stats_walker.hpp"

namespace trine::models {

static void walk(const sc_core::sc_object& obj, std::vector<stats::Record>& out) {
  if (const auto* s = dynamic_cast<const HasStats*>(&obj)) s->statistics().collect(out);
  for (const sc_core::sc_object* child : obj.get_child_objects()) walk(*child, out);
}

std::vector<stats::Record> collect_statistics(const sc_core::sc_object& root) {
  std::vector<stats::Record> out;
  walk(root, out);
  return out;
}

}  // namespace trine::models
