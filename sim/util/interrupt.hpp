#pragma once
// Ctrl-C (SIGINT) and SIGTERM as a request to stop at the next safe point: long commands (a
// sweep, a run of many images) finish what they are doing, write what is complete and exit
// with status 130. A second signal ends the process at once, as if nothing had caught it.
#include <csignal>

namespace trine {

class StopOnSignal {
 public:
  StopOnSignal();   // installs the handlers (no SA_RESTART: blocking calls return EINTR)
  ~StopOnSignal();  // restores the previous ones
  StopOnSignal(const StopOnSignal&) = delete;
  StopOnSignal& operator=(const StopOnSignal&) = delete;
  static bool requested();

 private:
  struct sigaction old_int_ {
  }, old_term_{};
};

}  // namespace trine
