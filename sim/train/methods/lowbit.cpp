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
    choose_clips(net);
    char note[32];
    std::snprintf(note, sizeof note, "keep %.3f", keep_now_);
    return note;
  }
  void finish(QNet& net) override {
    if (keep_now_ != spec().get("keep") || masks_.empty()) {
      keep_now_ = spec().get("keep");
      select_blocks(net);
    }
    choose_clips(net);  // for the final weights: the exported codes
  }

  QuantWeights quantize(size_t layer, const torch::Tensor& w) override {
    const torch::Tensor& mask = masks_.at(layer);
    // Binary: every kept weight is +-a, zero maps to +a.
    if (spec().get_int("bits") == 1) return sign_codes(w, mask, true);
    return uniform_codes(w, mask, qmax(), clips_.at(layer));
  }

  net::Weights encode(size_t, const net::WeightMatrix& codes) const override {
    return net::encode_lowbit(codes, static_cast<int>(spec().get_int("bits")),
                              static_cast<int>(spec().get_int("block")));
  }

 private:
  int qmax() const { return (1 << (spec().get_int("bits") - 1)) - 1; }

  // The clipping search costs eight quantizations, so it runs when the blocks change and
  // before export, not at every step; the scale still follows each row's peak every step.
  void choose_clips(QNet& net) {
    clips_.assign(net.layers().size(), torch::Tensor());
    if (spec().get_int("bits") > 1)
      for (size_t i : net.compute_layers())
        clips_[i] = best_clip(net.layers()[i].weight, masks_[i], qmax());
  }

  void select_blocks(QNet& net) {
    torch::NoGradGuard no_grad;
    const int64_t b = spec().get_int("block");
    masks_.assign(net.layers().size(), torch::Tensor());
    // Per layer: every tile's mean square relative to the layer's, and its weight count.
    struct Tiles {
      size_t layer;
      int64_t rows, cols, br, bc;
      torch::Tensor score, size;
    };
    std::vector<Tiles> all;
    for (size_t i : net.compute_layers()) {
      const torch::Tensor w = net.layers()[i].weight;
      Tiles t{i, w.size(0), w.size(1), (w.size(0) + b - 1) / b, (w.size(1) + b - 1) / b, {}, {}};
      auto tile_sum = [&](const torch::Tensor& x) {
        return torch::constant_pad_nd(x, {0, t.bc * b - t.cols, 0, t.br * b - t.rows})
            .reshape({t.br, b, t.bc, b})
            .sum({1, 3})
            .flatten();
      };
      // Mean square per tile: edge tiles hold fewer weights and must not lose for that alone.
      t.size = tile_sum(torch::ones_like(w));
      t.score = tile_sum(w.square()) / t.size / w.square().mean().clamp_min(1e-30);
      all.push_back(std::move(t));
    }
    if (spec().get_int("global") != 0) {
      // One ranking over the network: kept weights add up to keep x all weights.
      std::vector<torch::Tensor> scores, sizes, owner;
      for (size_t k = 0; k < all.size(); ++k) {
        scores.push_back(all[k].score);
        sizes.push_back(all[k].size);
        owner.push_back(torch::full_like(all[k].score, static_cast<double>(k)));
      }
      const torch::Tensor score = torch::cat(scores), size = torch::cat(sizes);
      const torch::Tensor order = std::get<1>(score.sort(/*stable=*/true, 0, true));
      const torch::Tensor budget = keep_now_ * size.sum();
      const torch::Tensor sorted_size = size.index_select(0, order);
      const torch::Tensor before = sorted_size.cumsum(0) - sorted_size;  // weights ranked higher
      torch::Tensor kept =
          torch::zeros_like(score).index_put_({order}, (before < budget).to(score.dtype()));
      int64_t at = 0;
      for (Tiles& t : all) {
        torch::Tensor mine = kept.narrow(0, at, t.br * t.bc);
        if (mine.sum().item<double>() == 0)
          mine.index_fill_(0, t.score.argmax(), 1.0);  // never empty
        set_mask(t.layer, mine, t.rows, t.cols, t.br, t.bc, b);
        at += t.br * t.bc;
      }
      return;
    }
    for (Tiles& t : all) {
      const int64_t n = t.br * t.bc;
      const int64_t keep = std::clamp<int64_t>(std::llround(keep_now_ * n), 1, n);
      // Ties (equal norms) keep the earlier tile: a stable sort, not topk.
      const torch::Tensor order = std::get<1>(t.score.sort(/*stable=*/true, 0, true));
      torch::Tensor kept = torch::zeros({n});
      kept.index_fill_(0, order.narrow(0, 0, keep), 1.0);
      set_mask(t.layer, kept, t.rows, t.cols, t.br, t.bc, b);
    }
  }

  void set_mask(size_t layer, const torch::Tensor& kept, int64_t rows, int64_t cols, int64_t br,
                int64_t bc, int64_t b) {
    masks_[layer] = kept.to(torch::kFloat32)
                        .reshape({br, 1, bc, 1})
                        .expand({br, b, bc, b})
                        .reshape({br * b, bc * b})
                        .narrow(0, 0, rows)
                        .narrow(1, 0, cols)
                        .contiguous();
  }

  double keep_now_ = 1.0;
  std::vector<torch::Tensor> masks_;  // per layer index
  std::vector<torch::Tensor> clips_;  // per layer index: rows
};

}  // namespace

std::unique_ptr<Method> make_lowbit(const MethodSpec& spec, const NetSpec&) {
  return std::make_unique<LowBit>(spec);
}

}  // namespace trine::train
