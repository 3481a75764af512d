#pragma once
// Conversion between a clock domain's integer cycles and SystemC time, exact to the
// picosecond for any frequency (a DDR4-2400 cycle is 833.33 ps): cycle c starts at
// round(c * 1e12 / f) ps.
#include <systemc>

#include <cstdint>
#include <numeric>

#include "sim/util/divider.hpp"

namespace trine::models {

class ClockDomain {
  // 128-bit products keep cycle x 1e12 exact (a GCC/Clang extension, hence the marker).
  __extension__ using U128 = unsigned __int128;

 public:
  // With num / den = 1e12 / hz in lowest terms (2500 / 3 at 1.2 GHz), cycle c starts at
  // floor((c x num + floor(den / 2)) / den) ps (rounding half up), and the first cycle at or
  // after t ps is the least c with c x num + floor(den / 2) >= t x den: one division each, by
  // a divisor fixed here. 64-bit arithmetic while the products stay below 2^62, which covers
  // hours of simulated time at common clocks (the hot path); 128-bit beyond.
  explicit ClockDomain(int64_t hz)
      : num_(kPsPerS / std::gcd(kPsPerS, static_cast<uint64_t>(hz))),
        den_(static_cast<uint64_t>(hz) / std::gcd(kPsPerS, static_cast<uint64_t>(hz))),
        half_(den_ / 2),
        cycles_small_((kSmall - half_) / num_),
        ps_small_(kSmall / den_),
        over_den_(den_),
        over_num_(num_),
        ticks_(ticks_per_ps()) {}

  uint64_t ps(int64_t cycle) const {
    const uint64_t c = static_cast<uint64_t>(cycle);
    if (c <= cycles_small_) return over_den_.quotient(c * num_ + half_);
    return static_cast<uint64_t>((static_cast<U128>(c) * num_ + half_) / den_);
  }
  sc_core::sc_time time(int64_t cycle) const {
    // The same cycle is asked for several times in a row (a wake-up, then its response), and
    // sc_time::from_value is an out-of-line library call.
    if (cycle != last_time_cycle_) {
      last_time_cycle_ = cycle;
      last_time_of_cycle_ = sc_core::sc_time::from_value(ps(cycle) * ticks_);
    }
    return last_time_of_cycle_;
  }
  // The first cycle that starts at or after `t`.
  int64_t cycle_at_or_after(const sc_core::sc_time& t) const {
    // Callers ask about the same time over and over (every event of a time step).
    if (t.value() == last_time_) return last_cycle_;
    last_time_ = t.value();
    // (A time between two picoseconds, under a finer resolution, counts as the later one.)
    const uint64_t ps = ticks_ == 1 ? t.value() : (t.value() + ticks_ - 1) / ticks_;
    last_cycle_ = first_cycle_at_or_after(ps);
    return last_cycle_;
  }

 private:
  int64_t first_cycle_at_or_after(uint64_t t) const {
    if (t <= ps_small_) {
      const uint64_t need = t * den_;
      return need <= half_ ? 0 : static_cast<int64_t>(over_num_.ceil_quotient(need - half_));
    }
    const U128 need = static_cast<U128>(t) * den_;
    return static_cast<int64_t>((need - half_ + num_ - 1) / num_);
  }

  static constexpr uint64_t kPsPerS = 1'000'000'000'000ull;
  static constexpr uint64_t kSmall = uint64_t{1} << 62;
  // SystemC's time resolution is 1 ps unless a program changes it before any time exists.
  static uint64_t ticks_per_ps() {
    static const uint64_t ticks =
        static_cast<uint64_t>(sc_core::sc_time(1, sc_core::SC_PS).value());
    return ticks;
  }
  uint64_t num_, den_, half_;
  uint64_t cycles_small_;              // cycles up to which c x num + half stays below 2^62
  uint64_t ps_small_;                  // picoseconds up to which t x den stays below 2^62
  util::Divider over_den_, over_num_;  // no hardware divide: this runs several times a burst
  uint64_t ticks_;
  mutable uint64_t last_time_ = ~uint64_t{0};
  mutable int64_t last_cycle_ = 0;
  mutable int64_t last_time_cycle_ = 0;  // time(0) is zero
  mutable sc_core::sc_time last_time_of_cycle_;
};

}  // namespace trine::models
