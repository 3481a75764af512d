// nk (Boo & Sung 2017): ternary weights where every group of n consecutive inputs of a neuron
// holds at most k nonzeros, so that a code indexes a decoder table of allowed patterns.
// Weights are normalized by the layer's standard deviation before projection; the projection
// keeps each group's k largest magnitudes (those above r), and k tightens gradually from n.
#include <cmath>
#include <cstdint>

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
    const torch::Tensor mask = project(w);
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
  // 1 where a weight is among its group's k_now_ largest magnitudes (ties to the lower index)
  // and at least r standard deviations of the layer. A plain loop that picks min(k, n - k)
  // members per group: torch's topk over ~10^5 slices of n costs more than the layer's forward
  // and backward pass, and the projection runs at every step.
  torch::Tensor project(const torch::Tensor& w) const {
    const int64_t n = spec().get_int("n"), rows = w.size(0), cols = w.size(1);
    const torch::Tensor wc = w.to(torch::kFloat32).contiguous();
    const float cut = static_cast<float>(spec().get("r") * wc.std().item<double>());
    torch::Tensor mask = torch::zeros({rows, cols});
    const float* wp = wc.data_ptr<float>();
    float* mp = mask.data_ptr<float>();
    float mag[64];  // n <= 16 (spec.cpp)
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t g = 0; g < cols; g += n) {
        const int64_t len = std::min(cols - g, n);
        for (int64_t e = 0; e < len; ++e) mag[e] = std::fabs(wp[r * cols + g + e]);
        const uint64_t keep = top_members(mag, len, k_now_);
        for (int64_t e = 0; e < len; ++e)
          mp[r * cols + g + e] = ((keep >> e) & 1) && mag[e] >= cut && mag[e] > 0;
      }
    return mask;
  }

  // Bit e set for the k largest of mag[0, len), ties to the lower index: picks the k largest
  // or drops the len - k smallest, whichever is fewer passes.
  static uint64_t top_members(const float* mag, int64_t len, int64_t k) {
    uint64_t keep = (uint64_t{1} << len) - 1;
    if (k >= len) return keep;
    if (k <= len - k) {
      keep = 0;
      for (int64_t t = 0; t < k; ++t) {
        int64_t best = 0;
        float best_mag = -1.0f;
        for (int64_t e = 0; e < len; ++e) {
          const bool better = !((keep >> e) & 1) && mag[e] > best_mag;
          best = better ? e : best;
          best_mag = better ? mag[e] : best_mag;
        }
        keep |= uint64_t{1} << best;
      }
      return keep;
    }
    for (int64_t t = k; t < len; ++t) {
      int64_t worst = 0;
      float worst_mag = HUGE_VALF;
      for (int64_t e = 0; e < len; ++e) {
        const bool worse = ((keep >> e) & 1) && mag[e] <= worst_mag;
        worst = worse ? e : worst;
        worst_mag = worse ? mag[e] : worst_mag;
      }
      keep &= ~(uint64_t{1} << worst);
    }
    return keep;
  }

  int k_now_ = 0;
};

}  // namespace

std::unique_ptr<Method> make_nk(const MethodSpec& spec, const NetSpec&) {
  return std::make_unique<NK>(spec);
}

}  // namespace trine::train
