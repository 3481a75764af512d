// lowbit (Yin et al. 2017): k-bit uniform symmetric weights with coarse-grain structured
// sparsity. The weight matrix is tiled into block x block tiles; tiles are kept or zeroed as a
// whole by their L2 norm, and the kept fraction falls gradually to `keep`.
#include <cstdio>

#include "sim/train/methods/method.hpp"
#include "sim/train/model.hpp"

namespace trine::train {

namespace {

class LowBit : public Method {
 public:
  using Method::Method;

  std::string begin_epoch(int epoch, int epochs, QNet& net) override {
    const double keep = spec().get("keep");
    const int ramp = static_cast<int>(std::floor(spec().get("ramp") * (epochs - 1)));
    keep_now_ = epoch >= ramp ? keep : 1.0 - (1.0 - keep) * (epoch + 1) / (ramp + 1);
    select_blocks(net);
    char note[32];
    std::snprintf(note, sizeof note, "keep %.3f", keep_now_);
    return note;
  }
  void finish(QNet& net) override {
    if (keep_now_ != spec().get("keep") || masks_.empty()) {
      keep_now_ = spec().get("keep");
      select_blocks(net);
    }
  }

  QuantWeights quantize(size_t layer, const torch::Tensor& w) override {
    torch::NoGradGuard no_grad;
    const torch::Tensor& mask = masks_.at(layer);
    const int bits = static_cast<int>(spec().get_int("bits"));
    if (bits > 1) return uniform_codes(w, mask, (1 << (bits - 1)) - 1);
    QuantWeights q;  // binary: every kept weight is +-a, zero maps to +a
    q.codes = torch::where(w >= 0, 1.0, -1.0) * mask;
    q.scale = masked_mean_abs(w, mask);
    q.grad_mask = mask;
    return q;
  }

  net::Weights encode(size_t, const net::WeightMatrix& codes) const override {
    return net::encode_lowbit(codes, static_cast<int>(spec().get_int("bits")),
                              static_cast<int>(spec().get_int("block")));
  }

 private:
  void select_blocks(QNet& net) {
    torch::NoGradGuard no_grad;
    const int64_t b = spec().get_int("block");
    masks_.resize(net.layers().size());
    for (size_t i : net.compute_layers()) {
      const torch::Tensor w = net.layers()[i].weight;
      const int64_t rows = w.size(0), cols = w.size(1);
      const int64_t br = (rows + b - 1) / b, bc = (cols + b - 1) / b;
      // Mean square per tile: edge tiles hold fewer weights and must not lose for that alone.
      auto tile_sum = [&](const torch::Tensor& t) {
        return torch::constant_pad_nd(t, {0, bc * b - cols, 0, br * b - rows})
            .reshape({br, b, bc, b})
            .sum({1, 3});
      };
      const torch::Tensor tiles = tile_sum(w.square()) / tile_sum(torch::ones_like(w));
      const int64_t keep = std::clamp<int64_t>(std::llround(keep_now_ * br * bc), 1, br * bc);
      // Ties (equal norms) keep the earlier tile: a stable sort, not topk.
      const torch::Tensor order =
          std::get<1>(tiles.flatten().sort(/*stable=*/true, /*dim=*/0, /*descending=*/true));
      torch::Tensor kept = torch::zeros({br * bc});
      kept.index_fill_(0, order.narrow(0, 0, keep), 1.0);
      masks_[i] = kept.reshape({br, 1, bc, 1})
                      .expand({br, b, bc, b})
                      .reshape({br * b, bc * b})
                      .narrow(0, 0, rows)
                      .narrow(1, 0, cols)
                      .contiguous();
    }
  }

  double keep_now_ = 1.0;
  std::vector<torch::Tensor> masks_;  // per layer index
};

}  // namespace

std::unique_ptr<Method> make_lowbit(const MethodSpec& spec, const NetSpec&) {
  return std::make_unique<LowBit>(spec);
}

}  // namespace trine::train
