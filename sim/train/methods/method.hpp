#pragma once
// The compression-method policy. A method decides, per compute layer, which integer codes and
// per-neuron scales the forward pass uses (weights = codes x scale), which weights may still
// learn, what extra loss it adds, how its schedule moves from epoch to epoch, and how the
// final codes are stored in the .tnet.
//
// Contract:
// - quantize() returns codes with integer values representable in the method's form, and
//   positive scales; encode() of those codes (as int8) succeeds and decodes back to them.
// - After finish(), quantize() is deterministic: the trainer's evaluation, the export and the
//   integer reference see the same codes.
// - begin_epoch() is called before every epoch of compressed training, in order, and may
//   change the codes (prune, combine, tighten); nothing else changes the schedule.
#include <torch/torch.h>

#include <memory>
#include <string>
#include <vector>

#include "sim/net/network.hpp"
#include "sim/net/weights.hpp"
#include "sim/train/spec.hpp"

namespace trine::train {

class QNet;

struct QuantWeights {
  torch::Tensor codes;      // rows x cols, int8
  torch::Tensor scale;      // rows, > 0
  torch::Tensor grad_mask;  // rows x cols, 1 where the float weight still learns; undefined: all
  torch::Tensor fake;       // codes x scale in float32, what a training step multiplies with
};

class Method {
 public:
  explicit Method(MethodSpec spec) : spec_(std::move(spec)) {}
  virtual ~Method() = default;
  const MethodSpec& spec() const { return spec_; }

  // Before epoch `epoch` (0-based) of `epochs`. Returns a short note for the progress line
  // ("stage 1", "k=4", "round 2 sparsity 0.53"), or "".
  virtual std::string begin_epoch(int epoch, int epochs, QNet& net) = 0;
  // Sets the final schedule state before export (k, kept fraction, masks).
  virtual void finish(QNet& net) { (void)net; }
  // False while the forward pass trains float weights (ternary stage 1).
  virtual bool quantized_weights() const { return true; }
  virtual QuantWeights quantize(size_t layer, const torch::Tensor& w) = 0;
  // The method's loss term (regularizers); undefined tensor when none.
  virtual torch::Tensor regularizer(const QNet& net) {
    (void)net;
    return {};
  }
  virtual net::Weights encode(size_t layer, const net::WeightMatrix& codes) const = 0;

 private:
  MethodSpec spec_;
};

std::unique_ptr<Method> make_method(const MethodSpec& spec, const NetSpec& net);

// Helpers shared by the methods: each is one or two passes over the weights in plain loops,
// because they run at every training step and a chain of tensor operations (abs, multiply,
// divide, round, clamp, multiply back) costs as much as the layer's own forward pass.
// An undefined mask means every weight; w is float32 rows x cols.
//
// Sign codes: codes = sign(w) (binary: w >= 0 ? 1 : -1) under the mask; per-row scale = mean
// |w| over the mask (rows with an empty mask take the layer's mean).
QuantWeights sign_codes(const torch::Tensor& w, const torch::Tensor& mask, bool binary);
// The second half of sign codes for methods that choose their own: given q.codes and per-row
// sums of the kept |w| and kept counts, sets the scales (the same fallback) and q.fake.
void mean_scales(QuantWeights& q, const std::vector<double>& sum, const std::vector<double>& count);
// Symmetric uniform codes in [-qmax, qmax] under a mask with per-row scale
// clip x (the row's largest magnitude) / qmax; an undefined clip is 1.
QuantWeights uniform_codes(const torch::Tensor& w, const torch::Tensor& mask, int qmax,
                           const torch::Tensor& clip);
// The per-row clip in {0.3, 0.4, ..., 1.0} that minimises the squared error of uniform_codes.
// Eight trial quantizations: callers search once per epoch and reuse the clip every step.
torch::Tensor best_clip(const torch::Tensor& w, const torch::Tensor& mask, int qmax);

}  // namespace trine::train
