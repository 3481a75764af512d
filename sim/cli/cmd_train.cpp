// trine train: hands over to trine-train, the only program that links LibTorch (it takes most
// of a second and 160 MB just to start, which the simulator's commands must not pay).
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "sim/cli/options.hpp"
#include "sim/util/error.hpp"

namespace trine::cli {

namespace {

// The folder this executable lives in, so a build tree and an install both work.
std::string own_dir() {
  std::vector<char> buf(4096);
  const ssize_t n = ::readlink("/proc/self/exe", buf.data(), buf.size() - 1);
  if (n <= 0) return ".";
  const std::string path(buf.data(), static_cast<size_t>(n));
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? "." : path.substr(0, slash);
}

}  // namespace

int cmd_train(const Args& args) {
  const char* env = std::getenv("TRINE_TRAIN");
  const std::string exe = env && *env ? env : own_dir() + "/trine-train";
  if (::access(exe.c_str(), X_OK) != 0)
    throw InputError("trine train: the trainer is not built (" + exe +
                     " is missing; configure with -DTRINE_TRAINER=ON and LibTorch installed)");
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>("trine-train"));
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  ::execv(exe.c_str(), argv.data());
  throw RunError("cannot run " + exe + ": " + std::strerror(errno));
}

}  // namespace trine::cli
