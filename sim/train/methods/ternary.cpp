// ternary (Faraone et al. 2017): stage 1 trains float weights with an L2 term and a threshold
// regularizer that pulls the weights under t = r * mean|w| to zero; stage 2 prunes them and
// freezes the mask; stage 3 retrains the survivors as {-a, 0, +a} (a per neuron) through a
// straight-through estimator.
#include "sim/train/methods/method.hpp"
#include "sim/train/model.hpp"

namespace trine::train {

namespace {

class Ternary : public Method {
 public:
  using Method::Method;

  std::string begin_epoch(int epoch, int epochs, QNet& net) override {
    // At least one epoch in stage 3; in stage 1 too when there are two or more.
    int s1 = static_cast<int>(std::lround(spec().get("stage1") * epochs));
    s1 = std::clamp(s1, epochs >= 2 ? 1 : 0, epochs - 1);
    if (epoch >= s1 && masks_.empty()) prune(net);
    return masks_.empty() ? "stage 1" : "stage 3";
  }
  void finish(QNet& net) override {
    if (masks_.empty()) prune(net);
  }
  bool quantized_weights() const override { return !masks_.empty(); }

  QuantWeights quantize(size_t layer, const torch::Tensor& w) override {
    return sign_codes(w, masks_.at(layer), false);
  }

  torch::Tensor regularizer(const QNet& net) override {
    if (!masks_.empty()) return {};
    const double lambda = spec().get("lambda"), l2 = spec().get("l2");
    torch::Tensor total;
    for (size_t i : net.compute_layers()) {
      const torch::Tensor& w = net.layers()[i].weight;
      const torch::Tensor a = w.abs();
      const torch::Tensor t = (spec().get("r") * a.mean()).detach();
      const torch::Tensor term = lambda * (a * (a < t)).sum() + l2 * w.square().sum();
      total = total.defined() ? total + term : term;
    }
    return total;
  }

  net::Weights encode(size_t, const net::WeightMatrix& codes) const override {
    return net::encode_ternary(codes);
  }

 private:
  void prune(QNet& net) {
    torch::NoGradGuard no_grad;
    masks_.assign(net.layers().size(), torch::Tensor());
    for (size_t i : net.compute_layers()) {
      const torch::Tensor a = net.layers()[i].weight.abs();
      // Every neuron keeps at least its largest weight: a fully pruned row (a whole 5x5 filter
      // of a first convolution is easily under r x the layer's mean) outputs a constant.
      masks_[i] = ((a >= spec().get("r") * a.mean()) | (a == a.amax(1, true))).to(torch::kFloat32);
    }
  }
  std::vector<torch::Tensor> masks_;  // per layer index; empty until stage 2
};

}  // namespace

std::unique_ptr<Method> make_ternary(const MethodSpec& spec, const NetSpec&) {
  return std::make_unique<Ternary>(spec);
}

}  // namespace trine::train
