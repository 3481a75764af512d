#pragma once
// Conversion between a clock domain's integer cycles and SystemC time, exact to the
// picosecond for any frequency (a DDR4-2400 cycle is 833.33 ps): cycle c starts at
// round(c * 1e12 / f) ps.
#include <systemc>

#include <algorithm>
#include <cstdint>

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
    if (c <= small_) return c * whole_ + over_hz_(c * part_ + hz_ / 2);
    return static_cast<uint64_t>((static_cast<U128>(c) * kPsPerS + hz_ / 2) / hz_);
  }
  sc_core::sc_time time(int64_t cycle) const {
    return sc_core::sc_time::from_value(ps(cycle) * kTicksPerPs());
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

  // Exact n / d for n < 2^63 by a multiply and a shift (a 64-bit divide takes tens of
  // cycles, and this runs several times per DRAM burst): with L = ceil(log2 d), k = 63 + L
  // and m = ceil(2^k / d) < 2^64, the error m x d - 2^k < d <= 2^(k - 63) keeps
  // floor(n x m / 2^k) equal to floor(n / d) for every such n (Granlund and Montgomery 1994).
  class Divider {
   public:
    explicit Divider(uint64_t d) {
      int l = 0;
      while (l < 63 && (uint64_t{1} << l) < d) ++l;
      k_ = 63 + l;
      m_ = static_cast<uint64_t>(((U128{1} << k_) + d - 1) / d);
    }
    uint64_t operator()(uint64_t n) const {
      return static_cast<uint64_t>((static_cast<U128>(n) * m_) >> k_);
    }

   private:
    uint64_t m_ = 0;
    int k_ = 0;
  };

  static constexpr uint64_t kPsPerS = 1'000'000'000'000ull;
  static constexpr uint64_t kHalf = uint64_t{1} << 62;
  // SystemC's time resolution is 1 ps unless a program changes it before any time exists.
  static uint64_t kTicksPerPs() {
    static const uint64_t ticks =
        static_cast<uint64_t>(sc_core::sc_time(1, sc_core::SC_PS).value());
    return ticks;
  }
  uint64_t hz_, whole_, part_;
  uint64_t small_;  // cycles up to which the 64-bit path cannot overflow
  Divider over_hz_;
  double cycles_per_ps_;
  mutable uint64_t last_time_ = ~uint64_t{0};
  mutable int64_t last_cycle_ = 0;
};

}  // namespace trine::models
