// colcomb (Kung et al. 2019): rounds of prune -> combine -> retrain with rising sparsity. Each
// round prunes every layer by magnitude, groups its sparse columns (at most alpha per group;
// by default the authors' merge of groups within a budget of int(gamma x rows) lost weights,
// net::merge_columns), keeps only the largest weight of each row within each group, and
// retrains the survivors as 8-bit codes with the mask frozen.
#include <cstdio>

#include "sim/train/methods/method.hpp"
#include "sim/train/model.hpp"

namespace trine::train {

namespace {

class ColComb : public Method {
 public:
  using Method::Method;

  std::string begin_epoch(int epoch, int epochs, QNet& net) override {
    const int rounds = static_cast<int>(std::min<int64_t>(spec().get_int("rounds"), epochs));
    // Round j starts at epoch floor(j * epochs / rounds).
    for (int j = 0; j < rounds; ++j)
      if (epoch == j * epochs / rounds) {
        round_ = j;
        combine(net, spec().get("sparsity") * (j + 1) / rounds);
      }
    char note[64];
    std::snprintf(note, sizeof note, "round %d/%d", round_ + 1, rounds);
    return note;
  }
  void finish(QNet& net) override {
    if (masks_.empty()) combine(net, spec().get("sparsity"));
  }

  QuantWeights quantize(size_t layer, const torch::Tensor& w) override {
    return uniform_codes(w, masks_.at(layer), 127, {});
  }

  net::Weights encode(size_t layer, const net::WeightMatrix& codes) const override {
    return net::encode_colcomb(codes, static_cast<int>(spec().get_int("alpha")), groups_.at(layer));
  }

 private:
  void combine(QNet& net, double sparsity) {
    torch::NoGradGuard no_grad;
    masks_.resize(net.layers().size());
    groups_.resize(net.layers().size());
    const int alpha = static_cast<int>(spec().get_int("alpha"));
    for (size_t i : net.compute_layers()) {
      const torch::Tensor w = net.layers()[i].weight;
      const int64_t rows = w.size(0), cols = w.size(1);
      torch::Tensor mag = w.abs();
      if (masks_[i].defined()) mag = mag * masks_[i];  // pruned weights stay pruned
      // Prune: keep the (1 - sparsity) largest magnitudes of the layer.
      const int64_t keep = std::max<int64_t>(1, std::llround((1 - sparsity) * rows * cols));
      const double cut = std::get<0>(mag.flatten().topk(keep)).min().item<double>();
      torch::Tensor mask = (mag >= cut) & (mag > 0);
      // Combine: group columns on the pruned pattern (`grouping`: the authors' merge or
      // first-fit), within the conflict budget int(gamma x rows).
      const torch::Tensor nz = mask.to(torch::kUInt8).contiguous();
      std::vector<uint8_t> pattern(nz.data_ptr<uint8_t>(), nz.data_ptr<uint8_t>() + rows * cols);
      groups_[i] =
          net::combine_columns(static_cast<net::ColumnGrouping>(spec().get_int("grouping")),
                               pattern, rows, cols, alpha, spec().get("gamma"));
      // Resolve conflicts: within each row of a group, only the largest magnitude survives
      // (ties: the lowest column).
      const torch::Tensor m = (mag * mask).to(torch::kFloat32).contiguous();
      const float* mp = m.data_ptr<float>();
      torch::Tensor winners = torch::zeros({rows, cols});
      float* kp = winners.data_ptr<float>();
      for (int64_t r = 0; r < rows; ++r)
        for (const auto& group : groups_[i]) {
          int64_t best = -1;
          for (int32_t c : group)
            if (mp[r * cols + c] > 0 && (best < 0 || mp[r * cols + c] > mp[r * cols + best]))
              best = c;
          if (best >= 0) kp[r * cols + best] = 1;
        }
      masks_[i] = winners;
    }
  }

  int round_ = 0;
  std::vector<torch::Tensor> masks_;                       // per layer index
  std::vector<std::vector<std::vector<int32_t>>> groups_;  // per layer index
};

}  // namespace

std::unique_ptr<Method> make_colcomb(const MethodSpec& spec, const NetSpec&) {
  return std::make_unique<ColComb>(spec);
}

}  // namespace trine::train
