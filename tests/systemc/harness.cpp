// Test harness for SystemC kernel tests. SystemC elaborates once per process, so CTest runs
// every test case in its own process (catch_discover_tests). The harness:
//  - silences the banner so that test discovery reads only test names;
//  - turns every SystemC warning, error and fatal report into a test failure;
//  - fails a test that started the kernel but never reached sc_stop();
//  - refuses to run a second kernel test in the same process.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <cstdlib>
#include <iostream>
#include <systemc>
#include <vector>

namespace {

std::vector<std::string> g_reports;  // warnings and worse, in order

void report_handler(const sc_core::sc_report& r, const sc_core::sc_actions& actions) {
  if (r.get_severity() >= sc_core::SC_WARNING)
    g_reports.push_back(std::string(r.get_msg_type()) + ": " + r.get_msg());
  sc_core::sc_report_handler::default_handler(r, actions);
}

struct OneKernelTestPerProcess : Catch::TestEventListenerBase {
  using TestEventListenerBase::TestEventListenerBase;
  int started = 0;
  void testCaseStarting(const Catch::TestCaseInfo& info) override {
    if (++started > 1 && sc_core::sc_start_of_simulation_invoked()) {
      std::cerr << "harness: '" << info.name
                << "' runs after a kernel test in the same process; run one test case per "
                   "process (ctest does)\n";
      std::exit(1);
    }
  }
};

}  // namespace

CATCH_REGISTER_LISTENER(OneKernelTestPerProcess)

int sc_main(int argc, char** argv) {
  sc_core::sc_report_handler::set_handler(report_handler);
  // Warnings are failures too, so let them stop nothing but be counted; errors throw.
  int rc = Catch::Session().run(argc, argv);
  if (!g_reports.empty()) {
    for (const auto& r : g_reports) std::cerr << "harness: SystemC report: " << r << "\n";
    std::cerr << "harness: FAILED: " << g_reports.size() << " SystemC warning/error report(s)\n";
    rc = rc ? rc : 1;
  }
  if (sc_core::sc_start_of_simulation_invoked() && !sc_core::sc_end_of_simulation_invoked()) {
    std::cerr << "harness: FAILED: the test started the kernel but never reached sc_stop()\n";
    rc = rc ? rc : 1;
  }
  return rc;
}

int main(int argc, char** argv) {
  // Before the kernel's first use: the banner would otherwise land among the test names.
  setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 1);
  return sc_core::sc_elab_and_sim(argc, argv);
}
