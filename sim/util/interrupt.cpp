#include "sim/util/interrupt.hpp"

namespace trine {

namespace {

volatile std::sig_atomic_t g_stop = 0;

extern "C" void on_stop(int sig) {
  if (g_stop) {  // the second one: stop now (only async-signal-safe calls here)
    std::signal(sig, SIG_DFL);
    std::raise(sig);
    return;
  }
  g_stop = 1;
}

}  // namespace

StopOnSignal::StopOnSignal() {
  g_stop = 0;
  struct sigaction sa {};
  sa.sa_handler = on_stop;
  sigemptyset(&sa.sa_mask);
  ::sigaction(SIGINT, &sa, &old_int_);
  ::sigaction(SIGTERM, &sa, &old_term_);
}

StopOnSignal::~StopOnSignal() {
  ::sigaction(SIGINT, &old_int_, nullptr);
  ::sigaction(SIGTERM, &old_term_, nullptr);
}

bool StopOnSignal::requested() {
  return g_stop != 0;
}

}  // namespace trine
