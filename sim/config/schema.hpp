#pragma once
// One declaration per configuration key. A struct lists its keys once, in `describe`, and every
// consumer walks that list: the strict YAML reader, the resolved-config printer and the key
// reference (`trine check --keys`). A key's dotted path is where it sits in that walk.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace trine::config {

class FieldVisitor {
 public:
  virtual ~FieldVisitor() = default;
  // Plain integer in [lo, hi]; `unit` is documentation only ("cycles", "bits", "").
  virtual void integer(const char* key, int64_t& v, int64_t lo, int64_t hi, const char* unit,
                       const char* doc) = 0;
  // A size in bytes, written with a unit ("64 KiB").
  virtual void bytes(const char* key, int64_t& v, int64_t lo, int64_t hi, const char* doc) = 0;
  // A frequency in hertz, written with a unit ("500 MHz").
  virtual void hertz(const char* key, int64_t& v, int64_t lo, int64_t hi, const char* doc) = 0;
  // A real number in [lo, hi] in `unit` ("mA", "V"); the YAML value may repeat the unit.
  virtual void real(const char* key, double& v, double lo, double hi, const char* unit,
                    const char* doc) = 0;
  // One of a fixed set of names.
  virtual void choice(const char* key, std::string& v, const std::vector<std::string>& options,
                      const char* doc) = 0;
  // One of a list of named values parsed into its enum (`list`: {value, name, doc} entries, the
  // one list of names the factory and the tests also use).
  template <class E, class List>
  void choice_of(const char* key, E& v, const List& list, const char* doc) {
    std::vector<std::string> names;
    std::string current;
    for (const auto& n : list) {
      names.emplace_back(n.name);
      if (n.value == v) current = n.name;
    }
    choice(key, current, names, doc);
    for (const auto& n : list)
      if (current == n.name) v = n.value;
  }
  virtual void text(const char* key, std::string& v, const char* doc) = 0;
  virtual void section(const char* key, const char* doc,
                       const std::function<void(FieldVisitor&)>& body) = 0;
};

}  // namespace trine::config
