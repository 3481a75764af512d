#pragma once
// The integer vector loops of the reference model and the fast array model. Each is compiled
// for AVX2 and for baseline x86-64, and the loader picks the one the CPU runs (GCC function
// multiversioning): 32-bit multiplies are one instruction for eight lanes in AVX2 and a
// five-instruction emulation for four in SSE2. Results are the same exact integers either way.
#include <cstdint>

namespace trine::kernels {

// dst[i] += w * src[i] for i in [0, n).
template <class Acc, class Src>
void add_scaled(Acc* dst, const Src* src, Acc w, int64_t n);
// dst[i] += w * src[i * stride] for i in [0, n).
template <class Acc>
void add_scaled_strided(Acc* dst, const int32_t* src, int64_t stride, Acc w, int64_t n);
// dst[j] += sum over i of w[i * cols + j] * x[i * x_stride] for j in [0, cols), i in
// [0, rows): a rows x cols weight block times one activation per row (zero rows skipped).
template <class Acc>
void add_rows(Acc* dst, const int8_t* w, const uint32_t* x, int64_t x_stride, int64_t rows,
              int64_t cols);
// The same for listed rows: weight row k goes with activation x[rows[k]], k in [0, n).
template <class Acc>
void add_listed_rows(Acc* dst, const int8_t* w, const uint32_t* x, const uint32_t* rows, int64_t n,
                     int64_t cols);
// The same for column combining: row i carries `lanes` activations and weight (i, j) reads
// the one sel[i * cols + j] names, x[i * lanes + sel[i * cols + j]].
template <class Acc>
void add_rows_selected(Acc* dst, const int8_t* w, const uint8_t* sel, const uint32_t* x,
                       int64_t lanes, int64_t rows, int64_t cols);
// dst[i] += src[i] for i in [0, n).
void add(int64_t* dst, const int64_t* src, int64_t n);
// The sum of w[k] * x[k] for k in [0, n).
template <class Acc>
Acc dot(const int8_t* w, const int32_t* x, int64_t n);

// Requantization constants (docs/arithmetic.md) of one output channel.
struct Requant {
  int64_t acc_lo, acc_hi, multiplier, half, out_lo, out_hi;
  int shift;
};
// out[i] = clamp((clamp(acc[i] + bias, acc) * multiplier + half) >> shift, out) for i in
// [0, n). The caller guarantees accumulators of at most 32 bits (acc_lo and acc_hi within
// int32) and a multiplier within int32: then 64 bits hold the arithmetic.
template <class Acc>
void requantize(const Acc* acc, int64_t bias, const Requant& q, int32_t* out, int64_t n);

}  // namespace trine::kernels
