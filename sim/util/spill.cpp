#include "sim/util/spill.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include "sim/util/error.hpp"

namespace trine {

TempDir::~TempDir() {
  for (const std::string& f : files_) std::remove(f.c_str());
  if (!path_.empty()) ::rmdir(path_.c_str());
}

std::string TempDir::file(const std::string& name) {
  if (path_.empty()) {
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/trine-" + prefix_ + "-XXXXXX";
    if (!::mkdtemp(pattern.data()))
      throw InputError(pattern, "cannot make a temporary folder (set TMPDIR to a writable one)");
    path_ = pattern;
  }
  files_.push_back(path_ + "/" + name);
  return files_.back();
}

}  // namespace trine
