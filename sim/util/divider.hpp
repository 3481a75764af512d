#pragma once
// Division by a divisor fixed once (a clock frequency, a buffer's word width or bank count)
// on hot paths, where a 64-bit divide takes tens of cycles: a multiply and a shift.
//
// With L = ceil(log2 d), k = 63 + L and m = ceil(2^k / d) < 2^64, the error m x d - 2^k < d
// <= 2^(k - 63) keeps floor(n x m / 2^k) equal to floor(n / d) for every n < 2^63
// (Granlund and Montgomery 1994); larger n take the plain divide. A power of two (1 included)
// is a shift; any other d has L >= 2, so the quotient is the product's high word shifted by
// k - 64 >= 1: no 128-bit shift.
#include <cstdint>

namespace trine::util {

class Divider {
  // 128-bit products (a GCC/Clang extension, hence the marker).
  __extension__ using U128 = unsigned __int128;

 public:
  explicit Divider(uint64_t d) : d_(d) {
    int l = 0;
    while (l < 63 && (uint64_t{1} << l) < d) ++l;
    power_of_two_ = (d & (d - 1)) == 0;
    shift_ = power_of_two_ ? l : 63 + l - 64;
    m_ = power_of_two_ ? 0 : static_cast<uint64_t>(((U128{1} << (63 + l)) + d - 1) / d);
  }
  uint64_t divisor() const { return d_; }
  uint64_t quotient(uint64_t n) const {
    if (power_of_two_) return n >> shift_;
    if (n >> 63) return n / d_;
    return static_cast<uint64_t>((static_cast<U128>(n) * m_) >> 64) >> shift_;
  }
  uint64_t remainder(uint64_t n) const { return n - quotient(n) * d_; }
  // ceil(n / d), for n + d - 1 < 2^64.
  uint64_t ceil_quotient(uint64_t n) const { return quotient(n + d_ - 1); }

 private:
  uint64_t d_, m_ = 0;
  int shift_ = 0;
  bool power_of_two_ = false;
};

}  // namespace trine::util
