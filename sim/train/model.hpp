#pragma once
// The network as the trainer sees it: float weights (one rows x cols matrix per compute layer,
// the layout of the .tnet), and a forward pass in two modes. Float is plain training. Quant
// emulates the integer hardware exactly (docs/arithmetic.md): unsigned activations with
// power-of-two scales, integer weight codes times per-neuron scales, quantized biases, and
// round-half-up requantization, with straight-through gradients.
#include <torch/torch.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "sim/data/idx.hpp"
#include "sim/train/spec.hpp"

namespace trine::train {

class Method;

struct QLayer {
  LayerSpec spec;
  torch::Tensor weight;  // rows x cols, float, requires grad (compute layers)
  torch::Tensor bias;    // rows
  // Batch norm of a convolution while it trains in float (spec.bn, before folding).
  torch::Tensor bn_gamma, bn_beta, bn_mean, bn_var;
  // Activation scales are powers of two: value = integer * 2^-exp. in_exps: each input's
  // (add layers rescale each to out_exp); in_exp: the first's.
  int in_exp = 0;
  std::vector<int> in_exps;
  int out_exp = 0;
  double running_max = 0;  // of the layer's output, for out_exp (EMA over training batches)
  bool calibrated = false;
  // Sets out_exp (compute and add layers): with ties across a concat's inputs, the smallest
  // of the tied layers' exponents (QNet::forward).
  bool sets_scale() const { return spec.is_compute() || spec.op == LayerOp::Add; }
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
  // `batch_norm`: convolutions with spec.bn get batch norm (the float network); without it
  // they take weights with the batch norm folded in (fold_from).
  QNet(const NetSpec& spec, int act_bits, bool batch_norm = false);
  QNet(const QNet&) = delete;
  QNet& operator=(const QNet&) = delete;

  std::vector<torch::Tensor> parameters() const;
  // Batch-norm running statistics (not trained by the optimizer; saved with the baseline).
  std::vector<std::pair<std::string, torch::Tensor>> buffers() const;
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
  // Copies the float weights of another network of the same spec, folding its batch norms
  // into the convolutions' weights and biases (docs/training.md).
  void fold_from(const QNet& other);

 private:
  torch::Tensor compute(QLayer& l, size_t i, const torch::Tensor& a, int exp,
                        const ForwardOptions& opt);
  torch::Tensor add(size_t i, const std::vector<torch::Tensor>& ins, const ForwardOptions& opt);
  torch::Tensor global_pool(const torch::Tensor& a, int exp, bool quant) const;
  torch::Tensor avg_pool(const LayerSpec& s, const torch::Tensor& a, int exp, bool quant) const;
  // The exponent a scale-setting layer takes: its own fit, or its tie group's smallest.
  int tied_exponent(size_t i, double levels) const;

  NetSpec spec_;
  int act_bits_;
  bool batch_norm_;
  std::vector<QLayer> layers_;
  size_t last_compute_ = 0;
  std::vector<std::vector<size_t>> ties_;  // per layer: the scale-setting layers tied with it
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
