// What one sweep point costs before it simulates anything: the wall time of a `trine` process
// that only starts (dynamic linking, SystemC's static set-up, argument parsing), and of a whole
// point as `trine sweep` runs it (design point, model and dataset loaded, the default LeNet-5
// simulated for one image, its row written). Target: starting a point's process costs under
// 50 ms.
// Usage: bench_sweep [--repeats N]
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

namespace {

double run_ms(std::vector<std::string> args) {
  std::fflush(stdout);
  const auto t0 = std::chrono::steady_clock::now();
  const pid_t pid = fork();
  if (pid == 0) {
    std::freopen("/dev/null", "w", stdout);
    std::freopen("/dev/null", "w", stderr);
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::fprintf(stderr, "bench_sweep: %s %s failed\n", args[0].c_str(), args[1].c_str());
    std::exit(1);
  }
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

void report(const char* what, std::vector<std::string> args, int repeats) {
  std::vector<double> ms;
  for (int i = 0; i < repeats; ++i) ms.push_back(run_ms(args));
  std::sort(ms.begin(), ms.end());
  std::printf("%-44s median %7.1f ms, min %7.1f ms, max %7.1f ms (%d runs)\n", what,
              ms[ms.size() / 2], ms.front(), ms.back(), repeats);
}

}  // namespace

int main(int argc, char** argv) {
  int repeats = 20;
  for (int i = 1; i + 1 < argc; i += 2)
    if (!std::strcmp(argv[i], "--repeats")) repeats = std::atoi(argv[i + 1]);
  const std::string trine = TRINE_EXE;
  const std::string row = "/tmp/bench_sweep_" + std::to_string(getpid()) + ".row";
  report("process start (trine --version)", {trine, "--version"}, repeats);
  report("sweep point (default LeNet-5, one image)",
         {trine, "run", "--batch", "1", "--images", "1", "--row", row}, repeats);
  unlink(row.c_str());
  return 0;
}
