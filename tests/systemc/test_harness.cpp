// Deliberately failing kernel tests. They are hidden from discovery ([.] tags) and run by
// CTest with the expectation that the harness fails them: this shows that SystemC reports and
// a missing sc_stop() cannot pass silently.
#include <catch2/catch.hpp>

#include <systemc>

namespace {
struct Reporter : sc_core::sc_module {
  SC_HAS_PROCESS(Reporter);
  sc_core::sc_severity severity;
  bool stop;
  Reporter(sc_core::sc_module_name n, sc_core::sc_severity s, bool stop_after)
      : sc_module(n), severity(s), stop(stop_after) {
    SC_THREAD(run);
  }
  void run() {
    wait(1, sc_core::SC_NS);
    if (severity == sc_core::SC_WARNING) SC_REPORT_WARNING("trine/test", "deliberate warning");
    if (severity == sc_core::SC_ERROR) SC_REPORT_ERROR("trine/test", "deliberate error");
    if (stop) sc_core::sc_stop();
  }
};
}  // namespace

TEST_CASE("deliberate SystemC warning", "[.][deliberate-warning]") {
  Reporter r("r", sc_core::SC_WARNING, true);
  sc_core::sc_start();
  CHECK(true);  // Catch alone would pass this test; the harness must not.
}

TEST_CASE("deliberate SystemC error", "[.][deliberate-error]") {
  Reporter r("r", sc_core::SC_ERROR, true);
  sc_core::sc_start();
}

TEST_CASE("deliberate missing sc_stop", "[.][deliberate-nostop]") {
  Reporter r("r", sc_core::SC_INFO, false);
  sc_core::sc_start();  // returns when events run out, without sc_stop()
}

TEST_CASE("a clean kernel test passes the harness", "[systemc][harness]") {
  Reporter r("r", sc_core::SC_INFO, true);
  sc_core::sc_start();
  CHECK(sc_core::sc_time_stamp() == sc_core::sc_time(1, sc_core::SC_NS));
}
