// Shared quantization helpers and the method registry.
#include <algorithm>
#include <cmath>
#include <vector>

#include "sim/train/methods/method.hpp"
#include "sim/train/rounding.hpp"
#include "sim/util/error.hpp"

namespace trine::train {

std::unique_ptr<Method> make_dense8(const MethodSpec&, const NetSpec&);
std::unique_ptr<Method> make_ternary(const MethodSpec&, const NetSpec&);
std::unique_ptr<Method> make_nk(const MethodSpec&, const NetSpec&);
std::unique_ptr<Method> make_colcomb(const MethodSpec&, const NetSpec&);
std::unique_ptr<Method> make_lowbit(const MethodSpec&, const NetSpec&);

std::unique_ptr<Method> make_method(const MethodSpec& spec, const NetSpec& net) {
  if (spec.name == "dense8") return make_dense8(spec, net);
  if (spec.name == "ternary") return make_ternary(spec, net);
  if (spec.name == "nk") return make_nk(spec, net);
  if (spec.name == "colcomb") return make_colcomb(spec, net);
  if (spec.name == "lowbit") return make_lowbit(spec, net);
  throw InputError("--method: no implementation for '" + spec.name + "'");
}

namespace {

// Float views of the weights and the optional mask.
struct Rows {
  Rows(const torch::Tensor& w_in, const torch::Tensor& mask_in)
      : w(w_in.to(torch::kFloat32).contiguous()),
        rows(w.size(0)),
        cols(w.size(1)),
        wp(w.data_ptr<float>()) {
    if (mask_in.defined()) mask = mask_in.to(torch::kFloat32).contiguous();
    mp = mask.defined() ? mask.data_ptr<float>() : nullptr;
  }
  torch::Tensor w, mask;
  int64_t rows, cols;
  const float* wp;
  const float* mp;
};

// Pass 1 of sign_codes: codes, and per-row sums of |w| and of the mask.
template <bool kMasked>
void sign_rows(const Rows& r, bool binary, int8_t* codes, double* sum, double* count) {
  // Locals and __restrict: an int8_t store may alias anything, and the compiler would reload
  // r's fields after every store instead of vectorizing.
  const int64_t rows = r.rows, cols = r.cols;
  for (int64_t i = 0; i < rows; ++i) {
    const float* __restrict w = r.wp + i * cols;
    const float* __restrict m = kMasked ? r.mp + i * cols : nullptr;
    int8_t* __restrict c = codes + i * cols;
    for (int64_t j = 0; j < cols; ++j) {
      const float v = w[j];
      // Signs from comparisons in integers, without branches or float-to-int conversions,
      // so that the loop vectorizes; binary maps zero to +1.
      const int sign = binary ? 2 * (v >= 0) - 1 : (v > 0) - (v < 0);
      c[j] = static_cast<int8_t>(kMasked ? sign * (m[j] != 0.0f) : sign);
    }
    // A vectorized sum (-fopenmp-simd): a fixed order for a given build, like torch's own.
    float s = 0, n = 0;
#pragma omp simd reduction(+ : s, n)
    for (int64_t j = 0; j < cols; ++j) {
      s += kMasked ? std::fabs(w[j]) * m[j] : std::fabs(w[j]);
      n += kMasked ? m[j] : 1.0f;
    }
    sum[i] = s, count[i] = n;
  }
}

}  // namespace

void mean_scales(QuantWeights& q, const std::vector<double>& sum,
                 const std::vector<double>& count) {
  const int64_t rows = q.codes.size(0), cols = q.codes.size(1);
  double total = 0, total_count = 0;
  for (int64_t i = 0; i < rows; ++i) total += sum[i], total_count += count[i];
  const double fallback = std::max(1e-8, total / std::max(total_count, 1.0));
  q.scale = torch::empty({rows});
  q.fake = torch::empty({rows, cols});
  const int8_t* __restrict codes = q.codes.data_ptr<int8_t>();
  float* __restrict fake = q.fake.data_ptr<float>();
  float* __restrict scale = q.scale.data_ptr<float>();
  for (int64_t i = 0; i < rows; ++i) {
    const float a = static_cast<float>(std::max(1e-8, count[i] > 0 ? sum[i] / count[i] : fallback));
    scale[i] = a;
    for (int64_t j = i * cols; j < (i + 1) * cols; ++j) fake[j] = codes[j] * a;
  }
}

QuantWeights sign_codes(const torch::Tensor& w, const torch::Tensor& mask, bool binary) {
  torch::NoGradGuard no_grad;
  const Rows r(w, mask);
  QuantWeights q;
  q.codes = torch::empty({r.rows, r.cols}, torch::kInt8);
  q.grad_mask = r.mask;
  int8_t* codes = q.codes.data_ptr<int8_t>();
  std::vector<double> sum(r.rows), count(r.rows);
  if (r.mp)
    sign_rows<true>(r, binary, codes, sum.data(), count.data());
  else
    sign_rows<false>(r, binary, codes, sum.data(), count.data());
  mean_scales(q, sum, count);
  return q;
}

torch::Tensor best_clip(const torch::Tensor& w, const torch::Tensor& mask, int qmax) {
  torch::NoGradGuard no_grad;
  const torch::Tensor wm = w * mask;
  const torch::Tensor peak = wm.abs().amax(1).clamp_min(1e-8).unsqueeze(1);  // rows x 1
  torch::Tensor best_clip, best_err;
  for (int i = 0; i < 8; ++i) {
    const double clip = 0.3 + 0.1 * i;
    const torch::Tensor s = peak * (clip / qmax);
    const torch::Tensor q = torch::round(wm / s).clamp(-qmax, qmax);
    const torch::Tensor err = ((q * s - wm).square() * mask).sum(1);
    if (i == 0) {
      best_clip = torch::full_like(err, clip), best_err = err;
    } else {
      const torch::Tensor better = err < best_err;
      best_clip = torch::where(better, clip, best_clip);
      best_err = torch::where(better, err, best_err);
    }
  }
  return best_clip;
}

namespace {

template <bool kMasked>
void uniform_rows(const Rows& r, const float* clip, float top, int8_t* codes, float* fake,
                  float* scale) {
  const int64_t rows = r.rows, cols = r.cols;  // as in sign_rows
  for (int64_t i = 0; i < rows; ++i) {
    const float* __restrict w = r.wp + i * cols;
    const float* __restrict m = kMasked ? r.mp + i * cols : nullptr;
    float peak = 0;
#pragma omp simd reduction(max : peak)
    for (int64_t j = 0; j < cols; ++j)
      peak = std::max(peak, std::fabs(kMasked ? w[j] * m[j] : w[j]));
    const float s = std::max((clip ? peak * clip[i] : peak) / top, 1e-8f);
    scale[i] = s;
    int8_t* __restrict c = codes + i * cols;
    float* __restrict f = fake + i * cols;
    for (int64_t j = 0; j < cols; ++j) {
      const float v = kMasked ? w[j] * m[j] : w[j];
      const float q = round_even(std::min(std::max(v / s, -top), top));
      const float code = kMasked ? q * m[j] : q;
      c[j] = static_cast<int8_t>(code);
      f[j] = code * s;
    }
  }
}

}  // namespace

QuantWeights uniform_codes(const torch::Tensor& w, const torch::Tensor& mask, int qmax,
                           const torch::Tensor& clip) {
  torch::NoGradGuard no_grad;
  const Rows r(w, mask);
  const torch::Tensor clip_f = clip.defined() ? clip.to(torch::kFloat32).contiguous() : clip;
  QuantWeights q;
  q.codes = torch::empty({r.rows, r.cols}, torch::kInt8);
  q.fake = torch::empty({r.rows, r.cols});
  q.scale = torch::empty({r.rows});
  q.grad_mask = r.mask;
  const float* cp = clip.defined() ? clip_f.data_ptr<float>() : nullptr;
  int8_t* codes = q.codes.data_ptr<int8_t>();
  float* fake = q.fake.data_ptr<float>();
  float* scale = q.scale.data_ptr<float>();
  if (r.mp)
    uniform_rows<true>(r, cp, static_cast<float>(qmax), codes, fake, scale);
  else
    uniform_rows<false>(r, cp, static_cast<float>(qmax), codes, fake, scale);
  return q;
}

}  // namespace trine::train
