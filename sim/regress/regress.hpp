#pragma once
// Golden-trace regression (`trine regress DIR`): every folder under DIR with a case.yaml is a
// case: a design point, a model, inputs and the expected trace (expected/events.txt and
// expected/summary.txt, as `trine run --trace` writes them). Each case runs in its own `trine
// run` process and is compared with its expectation: events line by line, exactly; the summary
// key by key, integers exactly and energies (keys ending in _pj) within the case's relative
// tolerance. `--update` re-blesses the expectations on purpose.
//
//   version: 1
//   description: "LeNet-5 (8,2) codes on the default design point"
//   design: ../../configs/arch/default.yaml   # relative to the case folder; or "default"
//   set: [array.model=cycle]                  # optional overrides
//   model: ../../configs/nets/lenet5-nk.tnet  # or "default"
//   dataset: fashion-mnist
//   images: 1
//   batch: 1
//   energy_tolerance: 1e-6
#include <cstdint>
#include <string>
#include <vector>

#include "sim/util/error.hpp"

namespace trine::regress {

struct Case {
  std::string name;  // the folder's name
  std::string dir;
  std::string description;
  std::string design;  // "" = embedded default
  std::vector<std::string> set;
  std::string model;  // "" = embedded default
  std::string dataset = "fashion-mnist";
  int64_t images = 1, batch = 1;
  double energy_tolerance = 1e-6;
};

Case load_case(const std::string& dir);
// Case folders under `root` (those holding a case.yaml), sorted by name.
std::vector<std::string> find_cases(const std::string& root);

// The first difference between an expected and an actual file, or "" when they agree.
// Events: the first differing line with two lines of context on each side. Summary: the first
// key whose value differs (energies beyond `tolerance`, relative).
std::string compare_events(const std::string& expected, const std::string& actual);
std::string compare_summary(const std::string& expected, const std::string& actual,
                            double tolerance);

struct Options {
  std::string trine;  // the executable
  bool update = false;
  bool quiet = false;
};

// Runs every case; returns the number that failed (with --update: that could not run).
int run_cases(const std::vector<std::string>& dirs, const Options& options);

}  // namespace trine::regress
