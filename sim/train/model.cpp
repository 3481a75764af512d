#include "sim/train/model.hpp"

#include <cmath>

#include "sim/train/methods/method.hpp"
#include "sim/train/rounding.hpp"

namespace trine::train {

namespace {

// The straight-through estimator as one autograd node: forward yields the method's quantized
// weights, backward hands the gradient to the float weights (masked to those still learning).
// Written as `wq + (w - w.detach()) * mask` it costs three weight-sized passes forward and two
// backward at every step.
class StraightThrough : public torch::autograd::Function<StraightThrough> {
 public:
  // The mask travels as a pointer: autograd records every tensor argument, and it may be
  // undefined (every weight learns).
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& w,
                               const torch::Tensor& fake, const torch::Tensor* mask) {
    (void)w;
    if (mask->defined()) ctx->save_for_backward({*mask});
    return fake;
  }
  static torch::autograd::tensor_list backward(torch::autograd::AutogradContext* ctx,
                                               torch::autograd::tensor_list grad) {
    const auto saved = ctx->get_saved_variables();
    return {saved.empty() ? grad[0] : grad[0] * saved[0], torch::Tensor(), torch::Tensor()};
  }
};

// Activation fake quantization in float32 as one pass forward and one backward; the chain of
// tensor operations below costs seven passes over every activation at every step. The values
// are the same: scaling by a power of two is exact, and floor is computed exactly.
class FakeQuant : public torch::autograd::Function<FakeQuant> {
 public:
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& y_in,
                               double up, double lo, double hi) {
    const torch::Tensor y = y_in.contiguous();
    torch::Tensor out = torch::empty_like(y);
    const float fup = static_cast<float>(up), fdown = static_cast<float>(1.0 / up);
    const float flo = static_cast<float>(lo / up), fhi = static_cast<float>(hi / up);
    const float* __restrict yp = y.data_ptr<float>();
    float* __restrict op = out.data_ptr<float>();
    const int64_t n = y.numel();
#pragma omp simd
    for (int64_t i = 0; i < n; ++i) {
      const float v = yp[i];
      op[i] = floor_small((v < flo ? flo : (v > fhi ? fhi : v)) * fup + 0.5f) * fdown;
    }
    ctx->save_for_backward({y});
    ctx->saved_data["lo"] = static_cast<double>(flo);
    ctx->saved_data["hi"] = static_cast<double>(fhi);
    return out;
  }
  static torch::autograd::tensor_list backward(torch::autograd::AutogradContext* ctx,
                                               torch::autograd::tensor_list grad) {
    const torch::Tensor y = ctx->get_saved_variables()[0];
    const float lo = static_cast<float>(ctx->saved_data["lo"].toDouble());
    const float hi = static_cast<float>(ctx->saved_data["hi"].toDouble());
    const torch::Tensor g = grad[0].contiguous();
    torch::Tensor gin = torch::empty_like(y);
    const float* __restrict yp = y.data_ptr<float>();
    const float* __restrict gp = g.data_ptr<float>();
    float* __restrict ip = gin.data_ptr<float>();
    const int64_t n = y.numel();
    // clamp's gradient: passed where lo <= y <= hi.
#pragma omp simd
    for (int64_t i = 0; i < n; ++i)
      ip[i] = gp[i] * static_cast<float>((yp[i] >= lo) & (yp[i] <= hi));
    return {gin, torch::Tensor(), torch::Tensor(), torch::Tensor()};
  }
};

}  // namespace

torch::Tensor fake_quant(const torch::Tensor& y, int exp, double lo, double hi) {
  if (y.scalar_type() == torch::kFloat32 && y.requires_grad())
    return FakeQuant::apply(y, std::ldexp(1.0, exp), lo, hi);
  const double up = std::ldexp(1.0, exp), down = std::ldexp(1.0, -exp);
  // clamp() carries the clipped straight-through gradient; the rounding is a detached offset.
  const torch::Tensor c = y.clamp(lo * down, hi * down);
  return c + (torch::floor(c.detach() * up + 0.5) * down - c.detach());
}

torch::Tensor image_tensor(const data::Dataset& d) {
  const torch::Tensor u8 =
      torch::from_blob(const_cast<uint8_t*>(d.pixels.data()),
                       {d.count, d.channels, d.height, d.width}, torch::kUInt8);
  return u8.to(torch::kFloat32) / 256.0;
}

torch::Tensor label_tensor(const data::Dataset& d) {
  return torch::from_blob(const_cast<uint8_t*>(d.labels.data()), {d.count}, torch::kUInt8)
      .to(torch::kInt64);
}

int fit_exponent(double max_value, double levels) {
  if (!(max_value > 0)) return 0;
  return std::clamp(static_cast<int>(std::floor(std::log2(levels / max_value))), -20, 40);
}

QNet::QNet(const NetSpec& spec, int act_bits) : spec_(spec), act_bits_(act_bits) {
  for (const LayerSpec& s : spec.layers) {
    QLayer l;
    l.spec = s;
    if (s.is_compute()) {
      // Kaiming-uniform with a = sqrt(5) (torch::nn's default), bias uniform in +-1/sqrt(fan_in).
      const double bound = 1.0 / std::sqrt(static_cast<double>(s.cols()));
      l.weight = (torch::rand({s.rows(), s.cols()}) * 2 - 1) * bound;
      l.bias = (torch::rand({s.rows()}) * 2 - 1) * bound;
      l.weight.set_requires_grad(true);
      l.bias.set_requires_grad(true);
    }
    layers_.push_back(std::move(l));
  }
}

std::vector<torch::Tensor> QNet::parameters() const {
  std::vector<torch::Tensor> p;
  for (const QLayer& l : layers_)
    if (l.spec.is_compute()) p.push_back(l.weight), p.push_back(l.bias);
  return p;
}

std::vector<size_t> QNet::compute_layers() const {
  std::vector<size_t> v;
  for (size_t i = 0; i < layers_.size(); ++i)
    if (layers_[i].spec.is_compute()) v.push_back(i);
  return v;
}

void QNet::copy_weights(const QNet& other) {
  torch::NoGradGuard no_grad;
  for (size_t i = 0; i < layers_.size(); ++i)
    if (layers_[i].spec.is_compute()) {
      layers_[i].weight.copy_(other.layers_[i].weight);
      layers_[i].bias.copy_(other.layers_[i].bias);
    }
}

torch::Tensor QNet::forward(const torch::Tensor& x, const ForwardOptions& opt) {
  namespace F = torch::nn::functional;
  const bool quant = opt.mode == Mode::Quant;
  torch::Tensor a = x;
  int exp = input_exp();
  if (quant) a = torch::floor(x * (1 << exp)) * std::ldexp(1.0, -exp);  // pixel >> shift
  const double act_max = std::ldexp(1.0, act_bits_) - 1;
  const double logit_max = std::ldexp(1.0, kLogitBits - 1) - 1;
  for (size_t i = 0; i < layers_.size(); ++i) {
    QLayer& l = layers_[i];
    const LayerSpec& s = l.spec;
    switch (s.op) {
      case LayerOp::Flatten:
        a = a.reshape({a.size(0), -1});
        break;
      case LayerOp::MaxPool:
        a = F::max_pool2d(a, F::MaxPool2dFuncOptions(s.kernel).stride(s.stride));
        break;
      case LayerOp::AvgPool:
        if (quant) {
          // floor((sum + K/2) / K) on the integers, as the hardware rounds.
          const double K = static_cast<double>(s.kernel * s.kernel), up = std::ldexp(1.0, exp);
          const torch::Tensor sum =
              F::avg_pool2d(a, F::AvgPool2dFuncOptions(s.kernel).stride(s.stride)) * K * up;
          const torch::Tensor q = torch::floor((torch::round(sum) + std::floor(K / 2)) / K) / up;
          a = q.detach() + (sum / (K * up) - (sum / (K * up)).detach());
        } else {
          a = F::avg_pool2d(a, F::AvgPool2dFuncOptions(s.kernel).stride(s.stride));
        }
        break;
      case LayerOp::Dense:
      case LayerOp::Conv: {
        torch::Tensor w = l.weight, b = l.bias;
        if (quant) {
          l.in_exp = exp;
          if (opt.method && opt.method->quantized_weights()) {
            // Evaluation runs in double so that only true rounding ties differ from integers.
            const auto dt = a.scalar_type();
            const QuantWeights q = opt.method->quantize(i, l.weight);
            const torch::Tensor scale = q.scale.to(dt);
            if (dt == q.fake.scalar_type())
              w = StraightThrough::apply(l.weight, q.fake, &q.grad_mask);
            else
              w = q.codes.to(dt) * scale.unsqueeze(1);  // evaluation: no gradient
            // Bias in accumulator units: round(b / (s_in * scale)), kept within int32.
            const torch::Tensor unit = scale * std::ldexp(1.0, -exp);
            const torch::Tensor bq =
                (torch::round(l.bias.to(dt) / unit).clamp(-2147483647.0, 2147483647.0) * unit)
                    .detach();
            b = bq + (l.bias - l.bias.detach());
          }
        }
        if (a.scalar_type() != w.scalar_type())
          w = w.to(a.scalar_type()), b = b.to(a.scalar_type());
        torch::Tensor y;
        if (s.op == LayerOp::Dense) {
          y = F::linear(a, w, b);
        } else {
          y = F::conv2d(a, w.reshape({s.out_c, s.in_c, s.kernel, s.kernel}),
                        F::Conv2dFuncOptions().bias(b).stride(s.stride).padding(s.pad));
        }
        if (!quant) {
          a = s.relu ? torch::relu(y) : y;
          break;
        }
        if (opt.training) {
          const double m = (s.relu ? y : y.abs()).max().item<double>();
          l.running_max = l.calibrated ? 0.9 * l.running_max + 0.1 * m : m;
          l.calibrated = true;
          l.out_exp = fit_exponent(l.running_max, s.relu ? act_max : logit_max);
        }
        if (s.relu) {
          a = fake_quant(y, l.out_exp, 0, act_max);
          exp = l.out_exp;
        } else {
          a = opt.quantize_logits ? fake_quant(y, l.out_exp, -logit_max - 1, logit_max) : y;
        }
        break;
      }
    }
  }
  return a.reshape({a.size(0), -1});
}

}  // namespace trine::train
