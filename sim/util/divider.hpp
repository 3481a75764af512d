#pragma once
// Division by a divisor fixed once (a clock frequency, a buffer's word width or bank count)
// on hot paths, where a 64-bit divide takes tens of cycles: a multiply and a shift.
//
// With L = ceil(log2 d), k = 63 + L and m = ceil(2^k / d) < 2^64, the error m x d - 2^k < d
// <= 2^(k - 63) keeps floor(n x m / 2^k) equal to floor(n / d) for every n < 2^63
// (Granlund and Montgomery 1994); larger n take the plain divide. A power of two gets
// m = 2^63, a shift.
#include <cstdint>

namespace trine::util {

class Divider {
  // 128-bit products (a GCC/Clang extension, hence the marker).
  __extension__ using U128 = unsigned __int128;

 public:
  explicit Divider(uint64_t d) : d_(d) {
    int l = 0;
    while (l < 63 && (uint64_t{1} << l) < d) ++l;
    k_ = 63 + l;
    m_ = static_cast<uint64_t>(((U128{1} << k_) + d - 1) / d);
  }
  uint64_t divisor() const { return d_; }
  uint64_t quotient(uint64_t n) const {
    if (n >> 63) return n / d_;
    return static_cast<uint64_t>((static_cast<U128>(n) * m_) >> k_);
  }
  uint64_t remainder(uint64_t n) const { return n - quotient(n) * d_; }

 private:
  uint64_t d_, m_ = 0;
  int k_ = 0;
};

}  // namespace trine::util
