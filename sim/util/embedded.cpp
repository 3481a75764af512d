#include "sim/util/embedded.hpp"

namespace trine::embedded {

const File* find(const std::string& path) {
  for (const File& f : configs())
    if (path == f.path) return &f;
  return nullptr;
}

const Blob* find_blob(const std::string& path) {
  for (const Blob& b : blobs())
    if (path == b.path) return &b;
  return nullptr;
}

}  // namespace trine::embedded
