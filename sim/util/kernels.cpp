#include "sim/util/kernels.hpp"

// (clang does not clone function templates: its builds, the sanitized one, run the baseline.)
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define TRINE_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define TRINE_CLONES
#endif

namespace trine::kernels {

template <class Acc, class Src>
TRINE_CLONES void add_scaled(Acc* __restrict dst, const Src* __restrict src, Acc w, int64_t n) {
  for (int64_t i = 0; i < n; ++i) dst[i] += w * static_cast<Acc>(src[i]);
}

template <class Acc>
TRINE_CLONES void add_scaled_strided(Acc* __restrict dst, const int32_t* __restrict src,
                                     int64_t stride, Acc w, int64_t n) {
  for (int64_t i = 0; i < n; ++i) dst[i] += w * static_cast<Acc>(src[i * stride]);
}

template <class Acc>
TRINE_CLONES void add_rows(Acc* __restrict dst, const int8_t* __restrict w,
                           const uint32_t* __restrict x, int64_t x_stride, int64_t rows,
                           int64_t cols) {
  for (int64_t i = 0; i < rows; ++i) {
    const Acc a = static_cast<Acc>(x[i * x_stride]);
    if (a == 0) continue;
    const int8_t* row = w + i * cols;
    for (int64_t j = 0; j < cols; ++j) dst[j] += static_cast<Acc>(row[j]) * a;
  }
}

template <class Acc>
TRINE_CLONES void add_listed_rows(Acc* __restrict dst, const int8_t* __restrict w,
                                  const uint32_t* __restrict x, const uint32_t* __restrict rows,
                                  int64_t n, int64_t cols) {
  // No skipping of zero activations, unlike add_rows: a mispredicted branch costs more than a
  // listed row's few vector operations (measured on the benchmark's column-combined networks;
  // on the other forms' plain rows, skipping wins).
  for (int64_t k = 0; k < n; ++k) {
    const Acc a = static_cast<Acc>(x[rows[k]]);
    const int8_t* row = w + k * cols;
    for (int64_t j = 0; j < cols; ++j) dst[j] += static_cast<Acc>(row[j]) * a;
  }
}

template <class Acc>
TRINE_CLONES void add_rows_selected(Acc* __restrict dst, const int8_t* __restrict w,
                                    const uint8_t* __restrict sel, const uint32_t* __restrict x,
                                    int64_t lanes, int64_t rows, int64_t cols) {
  for (int64_t i = 0; i < rows; ++i) {
    const int8_t* row = w + i * cols;
    const uint8_t* lane = sel + i * cols;
    const uint32_t* in = x + i * lanes;
    for (int64_t j = 0; j < cols; ++j)
      dst[j] += static_cast<Acc>(row[j]) * static_cast<Acc>(in[lane[j]]);
  }
}

TRINE_CLONES void add(int64_t* __restrict dst, const int64_t* __restrict src, int64_t n) {
  for (int64_t i = 0; i < n; ++i) dst[i] += src[i];
}

template <class Acc>
TRINE_CLONES Acc dot(const int8_t* __restrict w, const int32_t* __restrict x, int64_t n) {
  Acc acc = 0;
  for (int64_t k = 0; k < n; ++k) acc += static_cast<Acc>(w[k]) * static_cast<Acc>(x[k]);
  return acc;
}

template <class Acc>
TRINE_CLONES void requantize(const Acc* __restrict acc, int64_t bias, const Requant& q,
                             int32_t* __restrict out, int64_t n) {
  const Requant r = q;  // locals: the loop does not reload them
  const int32_t m = static_cast<int32_t>(r.multiplier);
  for (int64_t i = 0; i < n; ++i) {
    int64_t a = static_cast<int64_t>(acc[i]) + bias;
    a = a < r.acc_lo ? r.acc_lo : a > r.acc_hi ? r.acc_hi : a;
    // Both factors fit 32 bits: one widening multiply per lane, not a 64-bit emulation.
    int64_t v = (static_cast<int64_t>(static_cast<int32_t>(a)) * m + r.half) >> r.shift;
    v = v < r.out_lo ? r.out_lo : v > r.out_hi ? r.out_hi : v;
    out[i] = static_cast<int32_t>(v);
  }
}

template void add_scaled(int32_t*, const int32_t*, int32_t, int64_t);
template void add_scaled(int64_t*, const int32_t*, int64_t, int64_t);
template void add_scaled(int32_t*, const uint32_t*, int32_t, int64_t);
template void add_scaled(int64_t*, const uint32_t*, int64_t, int64_t);
template void add_scaled_strided(int32_t*, const int32_t*, int64_t, int32_t, int64_t);
template void add_scaled_strided(int64_t*, const int32_t*, int64_t, int64_t, int64_t);
template void add_rows(int32_t*, const int8_t*, const uint32_t*, int64_t, int64_t, int64_t);
template void add_rows(int64_t*, const int8_t*, const uint32_t*, int64_t, int64_t, int64_t);
template void add_listed_rows(int32_t*, const int8_t*, const uint32_t*, const uint32_t*, int64_t,
                              int64_t);
template void add_listed_rows(int64_t*, const int8_t*, const uint32_t*, const uint32_t*, int64_t,
                              int64_t);
template void add_rows_selected(int32_t*, const int8_t*, const uint8_t*, const uint32_t*, int64_t,
                                int64_t, int64_t);
template void add_rows_selected(int64_t*, const int8_t*, const uint8_t*, const uint32_t*, int64_t,
                                int64_t, int64_t);
template int32_t dot(const int8_t*, const int32_t*, int64_t);
template int64_t dot(const int8_t*, const int32_t*, int64_t);
template void requantize(const int32_t*, int64_t, const Requant&, int32_t*, int64_t);
template void requantize(const int64_t*, int64_t, const Requant&, int32_t*, int64_t);

}  // namespace trine::kernels
