#pragma once
// Conversion between a clock domain's integer cycles and SystemC time, exact to the
// picosecond for any frequency (a DDR4-2400 cycle is 833.33 ps): cycle c starts at
// round(c * 1e12 / f) ps.
#include <systemc>

#include <algorithm>
#include <cstdint>

#include "sim/util/divider.hpp"

namespace trine::models {

class ClockDomain {
  // 128-bit products keep cycle x 1e12 exact (a GCC/Clang extension, hence the marker).
  __extension__ using U128 = unsigned __int128;

 public:
  explicit ClockDomain(int64_t hz)
      : hz_(static_cast<uint64_t>(hz)),
        whole_(kPsPerS / hz_),
        part_(kPsPerS % hz_),
        small_(std::min(part_ ? kHalf / part_ : kHalf, kHalf / (whole_ + 1))),
        over_hz_(hz_),
        cycles_per_ps_(static_cast<double>(hz_) / static_cast<double>(kPsPerS)) {}
  // round(cycle x 1e12 / hz) = cycle x whole + round(cycle x part / hz), whole and part the
  // quotient and remainder of 1e12 / hz: 64-bit arithmetic while cycle x part fits, which
  // covers seconds of simulated time (the hot path); 128-bit beyond.
  uint64_t ps(int64_t cycle) const {
    const uint64_t c = static_cast<uint64_t>(cycle);
    if (c <= small_) return c * whole_ + over_hz_.quotient(c * part_ + hz_ / 2);
    return static_cast<uint64_t>((static_cast<U128>(c) * kPsPerS + hz_ / 2) / hz_);
  }
  sc_core::sc_time time(int64_t cycle) const {
    // The same cycle is asked for several times in a row (a wake-up, then its response), and
    // sc_time::from_value is an out-of-line library call.
    if (cycle != last_time_cycle_) {
      last_time_cycle_ = cycle;
      last_time_of_cycle_ = sc_core::sc_time::from_value(ps(cycle) * kTicksPerPs());
    }
    return last_time_of_cycle_;
  }
  // The first cycle that starts at or after `t`.
  int64_t cycle_at_or_after(const sc_core::sc_time& t) const {
    // Callers ask about the same time over and over (every event of a time step).
    if (t.value() == last_time_) return last_cycle_;
    last_time_ = t.value();
    last_cycle_ = first_cycle_at_or_after(t.value() / kTicksPerPs());
    return last_cycle_;
  }

 private:
  int64_t first_cycle_at_or_after(uint64_t target) const {
    // A floating-point estimate within a cycle or two, then exact steps.
    int64_t c = static_cast<int64_t>(static_cast<double>(target) * cycles_per_ps_);
    while (ps(c) < target) ++c;
    while (c > 0 && ps(c - 1) >= target) --c;
    return c;
  }

  static constexpr uint64_t kPsPerS = 1'000'000'000'000ull;
  static constexpr uint64_t kHalf = uint64_t{1} << 62;
  // SystemC's time resolution is 1 ps unless a program changes it before any time exists.
  static uint64_t kTicksPerPs() {
    static const uint64_t ticks =
        static_cast<uint64_t>(sc_core::sc_time(1, sc_core::SC_PS).value());
    return ticks;
  }
  uint64_t hz_, whole_, part_;
  uint64_t small_;         // cycles up to which the 64-bit path cannot overflow
  util::Divider over_hz_;  // no hardware divide: this runs several times per DRAM burst
  double cycles_per_ps_;
  mutable uint64_t last_time_ = ~uint64_t{0};
  mutable int64_t last_cycle_ = 0;
  mutable int64_t last_time_cycle_ = 0;  // time(0) is zero
  mutable sc_core::sc_time last_time_of_cycle_;
};

}  // namespace trine::models
