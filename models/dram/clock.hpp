#pragma once
// Conversion between a clock domain's integer cycles and SystemC time, exact to the
// picosecond for any frequency (a DDR4-2400 cycle is 833.33 ps): cycle c starts at
// round(c * 1e12 / f) ps.
#include <systemc>

#include <cstdint>

namespace trine::models {

class ClockDomain {
  // 128-bit products keep cycle x 1e12 exact (a GCC/Clang extension, hence the marker).
  __extension__ using U128 = unsigned __int128;

 public:
  explicit ClockDomain(int64_t hz) : hz_(static_cast<U128>(hz)) {}
  uint64_t ps(int64_t cycle) const {
    return static_cast<uint64_t>((static_cast<U128>(cycle) * kPsPerS + hz_ / 2) / hz_);
  }
  sc_core::sc_time time(int64_t cycle) const {
    return sc_core::sc_time::from_value(ps(cycle) * kTicksPerPs());
  }
  // The first cycle that starts at or after `t`.
  int64_t cycle_at_or_after(const sc_core::sc_time& t) const {
    const uint64_t target = t.value() / kTicksPerPs();
    int64_t c = static_cast<int64_t>(static_cast<U128>(target) * hz_ / kPsPerS);
    while (ps(c) < target) ++c;
    while (c > 0 && ps(c - 1) >= target) --c;
    return c;
  }

 private:
  static constexpr uint64_t kPsPerS = 1'000'000'000'000ull;
  // SystemC's time resolution is 1 ps unless a program changes it before any time exists.
  static uint64_t kTicksPerPs() {
    return static_cast<uint64_t>(sc_core::sc_time(1, sc_core::SC_PS).value());
  }
  U128 hz_;
};

}  // namespace trine::models
