#include "sim/util/spill.hpp"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "sim/util/error.hpp"

namespace trine {

TempDir::~TempDir() {
  std::error_code ignored;
  if (!path_.empty()) std::filesystem::remove_all(path_, ignored);
}

const std::string& TempDir::path() {
  if (path_.empty()) {
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/trine-" + prefix_ + "-XXXXXX";
    if (!::mkdtemp(pattern.data()))
      throw InputError(pattern, "cannot make a temporary folder (set TMPDIR to a writable one)");
    path_ = pattern;
  }
  return path_;
}

}  // namespace trine
