#pragma once
// A value change dump (IEEE 1364 VCD) of integer signals, for the cycle-stepped array model.
// Changes may be recorded out of time order (consecutive tiles overlap: the next one loads
// while the current one computes); write() sorts them (on disk past a budget, so a long run's
// dump costs disk, not memory). Only values that change are written.
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <string>
#include <vector>

#include "sim/util/spill.hpp"

namespace trine::models::array {

class Vcd {
 public:
  // Changes past `budget_bytes` are sorted and spilled to disk (sim/util/spill.hpp).
  explicit Vcd(size_t budget_bytes = size_t{64} << 20) : changes_(budget_bytes, "vcd") {}
  // A signal of `width` bits (1..64) in `scope`; returns its handle.
  int add(const std::string& scope, const std::string& name, int width);
  // `signal` holds `value` from `time` on (two's complement for negative values).
  void change(int64_t time, int signal, int64_t value) {
    changes_.push({time, signal, value, recorded_++}, sizeof(Change));
  }
  // The dump; `to_ps` converts a recorded time (an array cycle) to picoseconds.
  void write(std::ostream& out, const std::function<uint64_t(int64_t)>& to_ps,
             const std::string& comment);
  size_t changes() const { return recorded_; }
  size_t spilled_runs() const { return changes_.runs(); }

 private:
  void write_header(std::ostream& out, const std::string& comment) const;
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
  // By time, then signal; of several changes of one signal at one time, the last counts.
  struct Earlier {
    bool operator()(const Change& a, const Change& b) const {
      if (a.time != b.time) return a.time < b.time;
      return a.signal != b.signal ? a.signal < b.signal : a.order < b.order;
    }
  };
  struct Codec {
    static void put(std::ostream& out, const Change& c) { put_raw(out, c); }
    static bool get(std::istream& in, Change& c) { return get_raw(in, c); }
  };
  std::vector<Signal> signals_;
  SpillSort<Change, Earlier, Codec> changes_;
  size_t recorded_ = 0;
};

}  // namespace trine::models::array
