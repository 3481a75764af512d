#pragma once
// A value change dump (IEEE 1364 VCD) of integer signals, for the cycle-stepped array model.
// Changes may be recorded out of time order (consecutive tiles overlap: the next one loads
// while the current one computes); write() sorts them. Only values that change are kept.
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <string>
#include <vector>

namespace trine::models::array {

class Vcd {
 public:
  // A signal of `width` bits (1..64) in `scope`; returns its handle.
  int add(const std::string& scope, const std::string& name, int width);
  // `signal` holds `value` from `time` on (two's complement for negative values).
  void change(int64_t time, int signal, int64_t value);
  // The dump; `to_ps` converts a recorded time (an array cycle) to picoseconds.
  void write(std::ostream& out, const std::function<uint64_t(int64_t)>& to_ps,
             const std::string& comment) const;
  size_t changes() const { return changes_.size(); }

 private:
  struct Signal {
    std::string scope, name, code;
    int width = 1;
  };
  struct Change {
    int64_t time;
    int signal;
    int64_t value;
    size_t order;
  };
  std::vector<Signal> signals_;
  std::vector<Change> changes_;
};

}  // namespace trine::models::array
