#pragma once
// Errors that users can act on. Every error about an input names where it is
// (file:line:col) and which key, so that one line tells the user what to fix.
#include <stdexcept>
#include <string>

namespace trine {

struct Location {
  std::string file;  // path as the user gave it, or "<embedded>/..." or "--set ..."
  int line = 0;      // 1-based; 0 when unknown
  int column = 0;    // 1-based; 0 when unknown
  std::string str() const;
};

// An input error: bad YAML, bad model file, bad dataset, bad command line.
// The CLI prints what() on one line and exits with status 2.
class InputError : public std::runtime_error {
 public:
  InputError(const Location& where, const std::string& key, const std::string& message);
  // For inputs without line structure (binary files): "FILE: message".
  InputError(const std::string& file, const std::string& message);
  explicit InputError(const std::string& message);
};

// A failure of the simulated system or a broken internal invariant (exit status 1).
class RunError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Shorthand for checking a program invariant (a bug, not bad input).
#define TRINE_ASSERT(cond, msg)                                                             \
  do {                                                                                      \
    if (!(cond))                                                                            \
      throw ::trine::RunError(std::string("internal error: ") + (msg) + " (" __FILE__ ":" + \
                              std::to_string(__LINE__) + ")");                              \
  } while (0)

}  // namespace trine
