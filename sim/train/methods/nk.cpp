// nk (Boo & Sung 2017): ternary weights where every group of n consecutive inputs of a neuron
// holds at most k nonzeros, so that a code indexes a decoder table of allowed patterns.
// Weights are normalized by the layer's standard deviation before projection; the projection
// keeps each group's k largest magnitudes (those above r), and k tightens gradually from n.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "sim/train/methods/method.hpp"
#include "sim/train/model.hpp"

namespace trine::train {

namespace {

// Where the selection writes: the codes (sign of each kept weight, 0 elsewhere), and per-row
// sums of the kept magnitudes and counts, for the scales.
struct Selection {
  int8_t* codes;
  double* row_sum;
  double* row_count;
  int64_t cols;
};

// Member e of a group is kept when fewer than k members outrank it (larger magnitude, or equal
// at a lower index), its magnitude reaches the cut and is not zero. Groups start at element
// `start` of the matrix w and never straddle a row. They are processed kLanes at a time,
// transposed so that the innermost loop runs across groups and vectorizes: n^2 compares per
// group without branches.
constexpr int64_t kLanes = 16;
template <int64_t N>
__attribute__((always_inline)) inline void select_groups(const float* w, int64_t start,
                                                         int64_t groups, int k, float cut,
                                                         const Selection& out) {
  float mag[N][kLanes];
  for (int64_t g0 = 0; g0 < groups; g0 += kLanes) {
    const int64_t lanes = std::min(kLanes, groups - g0);
    const float* wg = w + start + g0 * N;
    if (lanes < kLanes) std::fill(&mag[0][0], &mag[0][0] + N * kLanes, 0.0f);
    for (int64_t b = 0; b < lanes; ++b)
      for (int64_t e = 0; e < N; ++e) mag[e][b] = std::fabs(wg[b * N + e]);
    float kept_sum[kLanes] = {}, kept_count[kLanes] = {};
    for (int64_t e = 0; e < N; ++e) {
      int32_t rank[kLanes] = {};
      for (int64_t j = 0; j < e; ++j)
        for (int64_t b = 0; b < kLanes; ++b) rank[b] += mag[j][b] >= mag[e][b];
      for (int64_t j = e + 1; j < N; ++j)
        for (int64_t b = 0; b < kLanes; ++b) rank[b] += mag[j][b] > mag[e][b];
      float keep[kLanes];
      for (int64_t b = 0; b < kLanes; ++b) {
        keep[b] = static_cast<float>((rank[b] < k) & (mag[e][b] >= cut) & (mag[e][b] > 0));
        kept_sum[b] += keep[b] * mag[e][b];
        kept_count[b] += keep[b];
      }
      // copysign, not a branch on the sign: half of those would be mispredicted.
      for (int64_t b = 0; b < lanes; ++b)
        out.codes[start + (g0 + b) * N + e] =
            static_cast<int8_t>(std::copysign(keep[b], wg[b * N + e]));
    }
    for (int64_t b = 0; b < lanes; ++b) {
      const int64_t row = (start + (g0 + b) * N) / out.cols;
      out.row_sum[row] += kept_sum[b];
      out.row_count[row] += kept_count[b];
    }
  }
}

// Each group size compiled for AVX2 too and chosen when the program loads: the selection is
// the costliest part of a training step after the matrix products, and comparisons are exact,
// so every CPU selects the same members.
#define TRINE_SELECT(N)                                                                        \
  __attribute__((target_clones("avx2", "default"))) void select##N(                            \
      const float* w, int64_t start, int64_t groups, int k, float cut, const Selection& out) { \
    select_groups<N>(w, start, groups, k, cut, out);                                           \
  }
TRINE_SELECT(4)
TRINE_SELECT(8)
TRINE_SELECT(16)
#undef TRINE_SELECT

// The unbiased standard deviation, as torch::std, in one vectorized pass.
double std_dev(const float* w, int64_t count) {
  double sum = 0, squares = 0;
#pragma omp simd reduction(+ : sum, squares)
  for (int64_t i = 0; i < count; ++i) {
    const double v = w[i];
    sum += v, squares += v * v;
  }
  return count > 1 ? std::sqrt(std::max(0.0, (squares - sum * sum / count) / (count - 1))) : 0.0;
}

// One group of any length, with the same rule.
void select_one(const float* w, int64_t start, int64_t len, int k, float cut,
                const Selection& out) {
  const int64_t row = start / out.cols;
  for (int64_t e = start; e < start + len; ++e) {
    const float me = std::fabs(w[e]);
    int64_t rank = 0;
    for (int64_t j = start; j < start + len; ++j)
      rank += j < e ? std::fabs(w[j]) >= me : std::fabs(w[j]) > me;
    const float keep = static_cast<float>((rank < k) & (me >= cut) & (me > 0));
    out.codes[e] = static_cast<int8_t>(std::copysign(keep, w[e]));
    out.row_sum[row] += keep * me;
    out.row_count[row] += keep;
  }
}

class NK : public Method {
 public:
  using Method::Method;

  std::string begin_epoch(int epoch, int epochs, QNet&) override {
    const int n = static_cast<int>(spec().get_int("n")), k = static_cast<int>(spec().get_int("k"));
    const int ramp = static_cast<int>(std::floor(spec().get("ramp") * (epochs - 1)));
    k_now_ = epoch >= ramp ? k
                           : n - static_cast<int>(std::lround(static_cast<double>(n - k) *
                                                              (epoch + 1) / (ramp + 1)));
    return "k=" + std::to_string(k_now_);
  }
  void finish(QNet&) override { k_now_ = static_cast<int>(spec().get_int("k")); }

  QuantWeights quantize(size_t, const torch::Tensor& w) override {
    torch::NoGradGuard no_grad;
    return project(w);  // no gradient mask: pruned weights learn and can come back
  }

  net::Weights encode(size_t, const net::WeightMatrix& codes) const override {
    return net::encode_nk(codes, static_cast<int>(spec().get_int("n")),
                          static_cast<int>(spec().get_int("k")));
  }

 private:
  // Sign codes of each group's kept members (its k_now_ largest magnitudes, ties to the lower
  // index, at least r standard deviations of the layer), their per-row scales, and codes x
  // scale. Plain loops: torch's topk over ~10^5 slices of n costs more than the layer's forward
  // and backward pass, and the projection runs at every step.
  QuantWeights project(const torch::Tensor& w) const {
    const int64_t n = spec().get_int("n"), rows = w.size(0), cols = w.size(1);
    const torch::Tensor wc = w.to(torch::kFloat32).contiguous();
    const float* wp = wc.data_ptr<float>();
    const float cut = static_cast<float>(spec().get("r") * std_dev(wp, rows * cols));
    QuantWeights q;
    q.codes = torch::empty({rows, cols}, torch::kInt8);
    std::vector<double> sum(static_cast<size_t>(rows)), count(static_cast<size_t>(rows));
    const Selection out{q.codes.data_ptr<int8_t>(), sum.data(), count.data(), cols};
    // When n divides a row the whole matrix is one run of groups; otherwise a shorter group
    // ends every row and goes through the general case.
    const bool whole = cols % n == 0;
    const int64_t runs = whole ? 1 : rows, run_len = whole ? rows * cols : cols;
    for (int64_t r = 0; r < runs; ++r) {
      const int64_t start = r * run_len, full = run_len / n;
      if (n == 8)
        select8(wp, start, full, k_now_, cut, out);
      else if (n == 4)
        select4(wp, start, full, k_now_, cut, out);
      else if (n == 16)
        select16(wp, start, full, k_now_, cut, out);
      else
        for (int64_t g = 0; g < full; ++g) select_one(wp, start + g * n, n, k_now_, cut, out);
      if (run_len % n) select_one(wp, start + full * n, run_len % n, k_now_, cut, out);
    }
    mean_scales(q, sum, count);
    return q;
  }

  int k_now_ = 0;
};

}  // namespace

std::unique_ptr<Method> make_nk(const MethodSpec& spec, const NetSpec&) {
  return std::make_unique<NK>(spec);
}

}  // namespace trine::train
