#pragma once
// The network as the trainer sees it: float weights (one rows x cols matrix per compute layer,
// the layout of the .tnet), and a forward pass in two modes. Float is plain training. Quant
// emulates the integer hardware exactly (docs/arithmetic.md): unsigned activations with
// power-of-two scales, integer weight codes times per-neuron scales, quantized biases, and
// round-half-up requantization, with straight-through gradients.
#include <torch/torch.h>

#include <cstdint>
#include <vector>

#include "sim/data/idx.hpp"
#include "sim/train/spec.hpp"

namespace trine::train {

class Method;

struct QLayer {
  LayerSpec spec;
  torch::Tensor weight;  // rows x cols, float, requires grad (compute layers)
  torch::Tensor bias;    // rows
  // Activation scales are powers of two: value = integer * 2^-exp.
  int in_exp = 0;
  int out_exp = 0;
  double running_max = 0;  // of the layer's output, for out_exp (EMA over training batches)
  bool calibrated = false;
};

enum class Mode { Float, Quant };

struct ForwardOptions {
  Mode mode = Mode::Float;
  Method* method = nullptr;      // Quant: the weight quantizer
  bool training = false;         // Quant: update activation ranges
  bool quantize_logits = false;  // Quant: round logits as the exported last layer does
};

class QNet {
 public:
  // Weights drawn from torch's generator (seed it first): Kaiming-uniform, as torch::nn does.
  QNet(const NetSpec& spec, int act_bits);
  QNet(const QNet&) = delete;
  QNet& operator=(const QNet&) = delete;

  std::vector<torch::Tensor> parameters() const;
  std::vector<QLayer>& layers() { return layers_; }
  const std::vector<QLayer>& layers() const { return layers_; }
  std::vector<size_t> compute_layers() const;
  const NetSpec& spec() const { return spec_; }
  int act_bits() const { return act_bits_; }
  int input_exp() const { return act_bits_ >= 8 ? 8 : act_bits_; }
  int input_shift() const { return act_bits_ >= 8 ? 0 : 8 - act_bits_; }
  static constexpr int kLogitBits = 16;

  // x: images as pixel / 256, N x C x H x W. Returns logits (N x classes).
  torch::Tensor forward(const torch::Tensor& x, const ForwardOptions& opt);
  // Copies the float weights of another network of the same spec.
  void copy_weights(const QNet& other);

 private:
  NetSpec spec_;
  int act_bits_;
  std::vector<QLayer> layers_;
};

// A dataset as tensors: images N x 1 x H x W as pixel / 256 (exact), labels as int64.
torch::Tensor image_tensor(const data::Dataset& d);
torch::Tensor label_tensor(const data::Dataset& d);

// floor(y * 2^exp + 1/2) clamped to [lo, hi], times 2^-exp; the gradient passes inside the
// range (a clipped straight-through estimator).
torch::Tensor fake_quant(const torch::Tensor& y, int exp, double lo, double hi);
// The exponent that fits `max_value` into `levels` steps (largest exp with max * 2^exp <= levels).
int fit_exponent(double max_value, double levels);

}  // namespace trine::train
