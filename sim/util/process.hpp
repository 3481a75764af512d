#pragma once
// Child processes for the commands that run trine many times (sweeps, regressions) or hand
// over to another program (report plots): POSIX fork and exec, output into a file.
#include <sys/types.h>

#include <string>
#include <vector>

namespace trine::process {

// Starts argv[0] (a path) with `argv`; its stdout and stderr go to `log` (truncated), or stay
// the parent's when `log` is empty. Throws RunError if it cannot fork.
pid_t spawn(const std::vector<std::string>& argv, const std::string& log = "");

// How a child ended.
struct Exit {
  bool exited = false;  // normally, with `status`
  int status = 0;
  int signal = 0;  // the signal that killed it, when !exited
  bool ok() const { return exited && status == 0; }
};
Exit decode(int wait_status);
// Waits for `pid`.
Exit wait(pid_t pid);

// Keeps freed memory in the process: glibc serves large blocks (a layer's tensors, its
// accumulators) with mmap and returns them to the kernel on free, so every inference or step
// page-faults them in again (on this VM a 1.6 MB copy then costs 9 ms instead of 0.9).
void keep_freed_memory();

// The path of the running executable (/proc/self/exe).
std::string self_executable();

// The last nonempty line of a text (a failed run's located error message).
std::string last_line(const std::string& text);

}  // namespace trine::process
