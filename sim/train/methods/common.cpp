// Shared quantization helpers and the method registry.
#include "sim/train/methods/method.hpp"
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

torch::Tensor masked_mean_abs(const torch::Tensor& w, const torch::Tensor& mask) {
  const torch::Tensor a = (w.abs() * mask).detach();
  const torch::Tensor count = mask.sum(1);
  const double fallback = std::max(1e-8, (a.sum() / mask.sum().clamp_min(1)).item<double>());
  return torch::where(count > 0, a.sum(1) / count.clamp_min(1), torch::full_like(count, fallback))
      .clamp_min(1e-8);
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

QuantWeights uniform_codes(const torch::Tensor& w, const torch::Tensor& mask, int qmax,
                           const torch::Tensor& clip) {
  torch::NoGradGuard no_grad;
  const torch::Tensor wm = w * mask;
  QuantWeights r;
  r.scale = (wm.abs().amax(1) * clip / qmax).clamp_min(1e-8);
  r.codes = torch::round(wm / r.scale.unsqueeze(1)).clamp(-qmax, qmax) * mask;
  r.grad_mask = mask;
  return r;
}

}  // namespace trine::train
