#include "sim/util/process.hpp"

#ifdef __GLIBC__
#include <malloc.h>
#endif

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <sstream>

#include "sim/util/error.hpp"

namespace trine::process {

pid_t spawn(const std::vector<std::string>& argv, const std::string& log) {
  std::vector<std::string> args = argv;  // execv wants char*, not const char*
  std::vector<char*> ptrs;
  for (std::string& a : args) ptrs.push_back(a.data());
  ptrs.push_back(nullptr);
  std::fflush(stdout);
  std::fflush(stderr);
  const pid_t pid = ::fork();
  if (pid < 0) throw RunError(std::string("fork failed: ") + std::strerror(errno));
  if (pid == 0) {
    if (!log.empty()) {
      const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (fd >= 0) {
        ::dup2(fd, 1);
        ::dup2(fd, 2);
        ::close(fd);
      }
    }
    ::execv(ptrs[0], ptrs.data());
    std::fprintf(stderr, "cannot run %s: %s\n", ptrs[0], std::strerror(errno));
    ::_exit(127);
  }
  return pid;
}

Exit decode(int s) {
  Exit e;
  e.exited = WIFEXITED(s);
  e.status = e.exited ? WEXITSTATUS(s) : 0;
  e.signal = WIFSIGNALED(s) ? WTERMSIG(s) : 0;
  return e;
}

Exit wait(pid_t pid) {
  int s = 0;
  while (::waitpid(pid, &s, 0) < 0)
    if (errno != EINTR) throw RunError(std::string("waitpid failed: ") + std::strerror(errno));
  return decode(s);
}

std::string self_executable() {
  char buf[4096];
  const ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) throw RunError("cannot find the running executable (/proc/self/exe)");
  return std::string(buf, static_cast<size_t>(n));
}

std::string last_line(const std::string& text) {
  std::istringstream in(text);
  std::string line, last;
  while (std::getline(in, line))
    if (!line.empty()) last = line;
  return last;
}

void keep_freed_memory() {
#ifdef __GLIBC__
  mallopt(M_MMAP_THRESHOLD, 256 << 20);
  mallopt(M_TRIM_THRESHOLD, 512 << 20);
#endif
}

}  // namespace trine::process
