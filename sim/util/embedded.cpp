#include "sim/util/embedded.hpp"

namespace trine::embedded {

const File* find(const std::string& path) {
  for (const File& f : configs())
    if (path == f.path) return &f;
  return nullptr;
}

}  // namespace trine::embedded
