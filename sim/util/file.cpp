#include "sim/util/file.hpp"

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "sim/util/error.hpp"

namespace trine {

void write_file_atomic(const std::string& path, const void* data, size_t size) {
  // A name of this process's own: two processes writing one file (a point finished by an
  // orphan of a killed sweep and by its rerun) never share a temporary.
  const std::string tmp = path + ".tmp." + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw InputError(path, "cannot write file");
    out.write(static_cast<const char*>(data), static_cast<std::streamsize>(size));
    out.flush();
    if (!out) {
      out.close();
      std::remove(tmp.c_str());
      throw InputError(path, "write failed");
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    throw InputError(path, "cannot move the finished file into place");
  }
}

std::string read_file_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace trine
