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

namespace {

constexpr size_t kImage = static_cast<size_t>(-1);  // the image, as a member of a tie group

// The layers whose scale a layer's output carries: itself when it sets one, else its inputs'
// sources (pools, shift, flatten, global pooling and concat pass their inputs' scales on).
void scale_sources(const std::vector<QLayer>& layers, int i, std::vector<size_t>& out) {
  if (i < 0) {
    out.push_back(kImage);
    return;
  }
  const QLayer& l = layers[static_cast<size_t>(i)];
  if (l.sets_scale()) {
    out.push_back(static_cast<size_t>(i));
    return;
  }
  for (int k : l.spec.from) scale_sources(layers, k, out);
}

}  // namespace

QNet::QNet(const NetSpec& spec, int act_bits, bool batch_norm)
    : spec_(spec), act_bits_(act_bits), batch_norm_(batch_norm) {
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
      if (batch_norm && s.bn) {
        l.bn_gamma = torch::ones({s.rows()}).set_requires_grad(true);
        l.bn_beta = torch::zeros({s.rows()}).set_requires_grad(true);
        l.bn_mean = torch::zeros({s.rows()});
        l.bn_var = torch::ones({s.rows()});
      }
    }
    layers_.push_back(std::move(l));
  }
  for (size_t i = 0; i < layers_.size(); ++i)
    if (layers_[i].spec.is_compute()) last_compute_ = i;
  // A concat copies its inputs' integers side by side: they must share one scale, so the
  // layers that set those scales are tied to the smallest exponent among them.
  ties_.resize(layers_.size());
  for (size_t i = 0; i < layers_.size(); ++i) {
    if (layers_[i].spec.op != LayerOp::Concat) continue;
    std::vector<size_t> group;
    scale_sources(layers_, static_cast<int>(i), group);
    for (size_t m : group) {
      if (m == kImage) continue;
      for (size_t other : group)
        if (std::find(ties_[m].begin(), ties_[m].end(), other) == ties_[m].end())
          ties_[m].push_back(other);
    }
  }
}

std::vector<torch::Tensor> QNet::parameters() const {
  std::vector<torch::Tensor> p;
  for (const QLayer& l : layers_) {
    if (!l.spec.is_compute()) continue;
    p.push_back(l.weight), p.push_back(l.bias);
    if (l.bn_gamma.defined()) p.push_back(l.bn_gamma), p.push_back(l.bn_beta);
  }
  return p;
}

std::vector<std::pair<std::string, torch::Tensor>> QNet::buffers() const {
  std::vector<std::pair<std::string, torch::Tensor>> b;
  for (const QLayer& l : layers_)
    if (l.bn_gamma.defined()) {
      b.emplace_back(l.spec.name + ".bn_gamma", l.bn_gamma);
      b.emplace_back(l.spec.name + ".bn_beta", l.bn_beta);
      b.emplace_back(l.spec.name + ".bn_mean", l.bn_mean);
      b.emplace_back(l.spec.name + ".bn_var", l.bn_var);
    }
  return b;
}

std::vector<size_t> QNet::compute_layers() const {
  std::vector<size_t> v;
  for (size_t i = 0; i < layers_.size(); ++i)
    if (layers_[i].spec.is_compute()) v.push_back(i);
  return v;
}

namespace {
constexpr double kBnEps = 1e-5;
}

void QNet::fold_from(const QNet& other) {
  torch::NoGradGuard no_grad;
  for (size_t i = 0; i < layers_.size(); ++i) {
    if (!layers_[i].spec.is_compute()) continue;
    const QLayer& from = other.layers_[i];
    if (!from.bn_gamma.defined()) {
      layers_[i].weight.copy_(from.weight);
      layers_[i].bias.copy_(from.bias);
      continue;
    }
    // y = gamma (conv(x) + b - mean) / sqrt(var + eps) + beta, per output channel.
    const torch::Tensor scale = from.bn_gamma / torch::sqrt(from.bn_var + kBnEps);
    layers_[i].weight.copy_(from.weight * scale.unsqueeze(1));
    layers_[i].bias.copy_((from.bias - from.bn_mean) * scale + from.bn_beta);
  }
}

int QNet::tied_exponent(size_t i, double levels) const {
  const QLayer& l = layers_[i];
  int exp = fit_exponent(l.running_max, levels);
  for (size_t m : ties_[i]) {
    if (m == kImage) return input_exp();
    const QLayer& other = layers_[m];
    if (other.calibrated) exp = std::min(exp, fit_exponent(other.running_max, levels));
  }
  return exp;
}

torch::Tensor QNet::avg_pool(const LayerSpec& s, const torch::Tensor& a, int exp,
                             bool quant) const {
  namespace F = torch::nn::functional;
  const torch::Tensor mean = F::avg_pool2d(a, F::AvgPool2dFuncOptions(s.kernel).stride(s.stride));
  if (!quant) return mean;
  // floor((sum + K/2) / K) on the integers, as the hardware rounds.
  const double K = static_cast<double>(s.kernel * s.kernel), up = std::ldexp(1.0, exp);
  const torch::Tensor sum = mean * K * up;
  const torch::Tensor q = torch::floor((torch::round(sum) + std::floor(K / 2)) / K) / up;
  return q.detach() + (mean - mean.detach());
}

torch::Tensor QNet::global_pool(const torch::Tensor& a, int exp, bool quant) const {
  const torch::Tensor mean = a.mean({2, 3}, true);
  if (!quant) return mean;
  const double K = static_cast<double>(a.size(2) * a.size(3)), up = std::ldexp(1.0, exp);
  const torch::Tensor sum = torch::round(a.sum({2, 3}, true) * up);
  const torch::Tensor q = torch::floor((sum + std::floor(K / 2)) / K) / up;
  return q.detach() + (mean - mean.detach());
}

namespace {

torch::Tensor shift_channels(const torch::Tensor& a) {
  namespace F = torch::nn::functional;
  const int64_t C = a.size(1), H = a.size(2), W = a.size(3);
  const torch::Tensor padded = F::pad(a, F::PadFuncOptions({1, 1, 1, 1}));
  std::vector<torch::Tensor> planes;
  for (int64_t c = 0; c < C; ++c) {
    const auto [dy, dx] = shift_offset(c);
    planes.push_back(padded.narrow(1, c, 1).narrow(2, 1 + dy, H).narrow(3, 1 + dx, W));
  }
  return torch::cat(planes, 1);
}

}  // namespace

torch::Tensor QNet::forward(const torch::Tensor& x, const ForwardOptions& opt) {
  namespace F = torch::nn::functional;
  const bool quant = opt.mode == Mode::Quant;
  torch::Tensor image = x;
  if (quant) image = torch::floor(x * (1 << input_exp())) * std::ldexp(1.0, -input_exp());
  std::vector<torch::Tensor> outs(layers_.size());
  std::vector<int> exps(layers_.size());
  for (size_t i = 0; i < layers_.size(); ++i) {
    QLayer& l = layers_[i];
    const LayerSpec& s = l.spec;
    std::vector<torch::Tensor> ins;
    l.in_exps.clear();
    for (int k : s.from) {
      ins.push_back(k < 0 ? image : outs[static_cast<size_t>(k)]);
      l.in_exps.push_back(k < 0 ? input_exp() : exps[static_cast<size_t>(k)]);
    }
    const torch::Tensor& a = ins.front();
    int exp = l.in_exps.front();
    l.in_exp = exp;
    torch::Tensor y;
    switch (s.op) {
      case LayerOp::Flatten:
        y = a.reshape({a.size(0), -1});
        break;
      case LayerOp::MaxPool:
        y = F::max_pool2d(a, F::MaxPool2dFuncOptions(s.kernel).stride(s.stride));
        break;
      case LayerOp::AvgPool:
        y = avg_pool(s, a, exp, quant);
        break;
      case LayerOp::GlobalAvgPool:
        y = global_pool(a, exp, quant);
        break;
      case LayerOp::Shift:
        y = shift_channels(a);
        break;
      case LayerOp::Concat:
        y = torch::cat(ins, 1);
        break;  // (tied scales: one exponent)
      case LayerOp::Add:
        y = add(i, ins, opt);
        exp = l.out_exp;
        break;
      case LayerOp::Dense:
      case LayerOp::Conv:
        y = compute(l, i, a, exp, opt);
        exp = l.out_exp;
        break;
    }
    outs[i] = y;
    exps[i] = exp;
  }
  const torch::Tensor& last = outs.back();
  return last.reshape({last.size(0), -1});
}

// A scale-setting layer's output: its running range (training) and the fake quantization to
// `bits` unsigned bits with relu or signed without.
namespace {
double levels_for(bool relu, int bits) {
  return relu ? std::ldexp(1.0, bits) - 1 : std::ldexp(1.0, bits - 1) - 1;
}
}  // namespace

torch::Tensor QNet::add(size_t i, const std::vector<torch::Tensor>& ins,
                        const ForwardOptions& opt) {
  QLayer& l = layers_[i];
  torch::Tensor sum = ins.front();
  for (size_t k = 1; k < ins.size(); ++k) sum = sum + ins[k];
  if (opt.mode != Mode::Quant) return l.spec.relu ? torch::relu(sum) : sum;
  const double levels = levels_for(l.spec.relu, act_bits_);
  if (opt.training) {
    const double m = (l.spec.relu ? sum : sum.abs()).max().item<double>();
    l.running_max = l.calibrated ? 0.9 * l.running_max + 0.1 * m : m;
    l.calibrated = true;
    l.out_exp = tied_exponent(i, levels);
    // Each input's rescaling 2^(out_exp - in_exp) must be a multiplier of up to 31 bits or a
    // shift of up to 31.
    for (int e : l.in_exps) l.out_exp = std::clamp(l.out_exp, e - 31, e + 30);
  }
  // Each input rescaled to the sum's scale with round-half-up, summed, saturated.
  const double up = std::ldexp(1.0, l.out_exp);
  torch::Tensor q = torch::zeros_like(sum);
  for (const torch::Tensor& t : ins) q = q + torch::floor(t.detach() * up + 0.5);
  const double lo = l.spec.relu ? 0 : -levels - 1;
  q = q.clamp(lo, levels) / up;
  const torch::Tensor clipped = sum.clamp(lo / up, levels / up);
  return clipped + (q - clipped).detach();
}

torch::Tensor QNet::compute(QLayer& l, size_t i, const torch::Tensor& a, int exp,
                            const ForwardOptions& opt) {
  namespace F = torch::nn::functional;
  const LayerSpec& s = l.spec;
  const bool quant = opt.mode == Mode::Quant;
  torch::Tensor w = l.weight, b = l.bias;
  if (quant && opt.method && opt.method->quantized_weights()) {
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
        (torch::round(l.bias.to(dt) / unit).clamp(-2147483647.0, 2147483647.0) * unit).detach();
    b = bq + (l.bias - l.bias.detach());
  }
  if (a.scalar_type() != w.scalar_type()) w = w.to(a.scalar_type()), b = b.to(a.scalar_type());
  torch::Tensor y;
  if (s.op == LayerOp::Dense) {
    y = F::linear(a, w, b);
  } else {
    y = F::conv2d(a, w.reshape({s.out_c, s.in_c / s.groups, s.kernel, s.kernel}),
                  F::Conv2dFuncOptions().bias(b).stride(s.stride).padding(s.pad).groups(s.groups));
  }
  if (l.bn_gamma.defined())
    y = F::batch_norm(y, l.bn_mean, l.bn_var,
                      F::BatchNormFuncOptions()
                          .weight(l.bn_gamma)
                          .bias(l.bn_beta)
                          .training(opt.training)
                          .momentum(0.1)
                          .eps(kBnEps));
  if (!quant) return s.relu ? torch::relu(y) : y;
  const bool logits = i == last_compute_;
  const double levels =
      logits ? std::ldexp(1.0, kLogitBits - 1) - 1 : levels_for(s.relu, act_bits_);
  if (opt.training) {
    const double m = (s.relu ? y : y.abs()).max().item<double>();
    l.running_max = l.calibrated ? 0.9 * l.running_max + 0.1 * m : m;
    l.calibrated = true;
    l.out_exp = tied_exponent(i, levels);
  }
  if (s.relu) return fake_quant(y, l.out_exp, 0, levels);
  if (logits) return opt.quantize_logits ? fake_quant(y, l.out_exp, -levels - 1, levels) : y;
  return fake_quant(y, l.out_exp, -levels - 1, levels);  // a signed activation (to an add)
}

}  // namespace trine::train
