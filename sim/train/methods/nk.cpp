// nk (Boo & Sung 2017): ternary weights where every group of n consecutive inputs of a neuron
// holds at most k nonzeros, so that a code indexes a decoder table of allowed patterns.
// Weights are normalized by the layer's standard deviation before projection; the projection
// keeps each group's k largest magnitudes (those above r), and k tightens gradually from n.
#include "sim/train/methods/method.hpp"
#include "sim/train/model.hpp"

namespace trine::train {

namespace {

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
    const int64_t n = spec().get_int("n");
    const int64_t rows = w.size(0), cols = w.size(1), groups = (cols + n - 1) / n;
    const torch::Tensor norm = w / w.std().clamp_min(1e-12);
    const torch::Tensor padded =
        torch::constant_pad_nd(norm, {0, groups * n - cols}).reshape({rows, groups, n});
    const torch::Tensor mag = padded.abs();
    const auto top = std::get<1>(mag.topk(std::min<int64_t>(k_now_, n), -1));
    torch::Tensor keep = torch::zeros_like(mag).scatter_(-1, top, 1.0);
    keep = keep * (mag >= spec().get("r")).to(torch::kFloat32);
    const torch::Tensor mask = keep.reshape({rows, groups * n}).narrow(1, 0, cols);
    QuantWeights q;
    q.codes = torch::sign(w) * mask;
    q.scale = masked_mean_abs(w, mask);
    return q;  // gradients reach every weight, so pruned ones can come back
  }

  net::Weights encode(size_t, const net::WeightMatrix& codes) const override {
    return net::encode_nk(codes, static_cast<int>(spec().get_int("n")),
                          static_cast<int>(spec().get_int("k")));
  }

 private:
  int k_now_ = 0;
};

}  // namespace

std::unique_ptr<Method> make_nk(const MethodSpec& spec, const NetSpec&) {
  return std::make_unique<NK>(spec);
}

}  // namespace trine::train
