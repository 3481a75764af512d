#include "models/accel/datapath.hpp"

#include <algorithm>
#include <climits>

namespace trine::models::accel {

using net::WeightForm;

Datapath::Datapath(const net::Layer& layer, const compile::LayerPlan& plan,
                   const net::TensorType& in, const net::TensorType& out)
    : layer_(layer), plan_(plan), in_(in), out_(out) {
  if (layer.weights.form != WeightForm::ColComb) weights_ = layer.weights.decode();
  columns_ = layer.weights.cols;
  // The address generator's im2col walk, worked out once per layer.
  if (layer.kind == net::LayerKind::Conv2d) {
    gather_.resize(static_cast<size_t>(plan.positions * columns_));
    for (int64_t v = 0; v < plan.positions; ++v)
      for (int64_t c = 0; c < columns_; ++c)
        gather_[static_cast<size_t>(v * columns_ + c)] = source(v, c);
  }
}

int32_t Datapath::source(int64_t v, int64_t col) const {
  const int64_t kh = layer_.kernel_h, kw = layer_.kernel_w;
  const int64_t oy = v / out_.width, ox = v % out_.width;
  const int64_t c = col / (kh * kw), ky = col / kw % kh, kx = col % kw;
  const int64_t iy = oy * layer_.stride_h - layer_.pad_h + ky;
  const int64_t ix = ox * layer_.stride_w - layer_.pad_w + kx;
  if (iy < 0 || iy >= in_.height || ix < 0 || ix >= in_.width) return -1;
  return static_cast<int32_t>((c * in_.height + iy) * in_.width + ix);
}

array::Tile Datapath::tile(size_t k, const std::vector<ref::Tensor>& batch) const {
  const compile::TilePlan& p = plan_.tiles[k];
  array::Tile t;
  t.rows_used = p.red_end - p.red_begin;
  t.cols_used = p.out_end - p.out_begin;
  t.vectors = p.vec_end - p.vec_begin;
  t.lanes = plan_.lanes;
  const bool combined = layer_.weights.form == WeightForm::ColComb;
  const net::ColCombCode& cc = layer_.weights.colcomb;
  const int64_t groups = static_cast<int64_t>(cc.groups.size());
  t.weights.resize(static_cast<size_t>(t.rows_used * t.cols_used));
  if (combined) t.select.resize(t.weights.size());
  for (int64_t i = 0; i < t.rows_used; ++i)
    for (int64_t j = 0; j < t.cols_used; ++j) {
      const int64_t o = p.out_begin + j, r = p.red_begin + i;
      const size_t at = static_cast<size_t>(i * t.cols_used + j);
      if (combined) {
        t.weights[at] = cc.values[static_cast<size_t>(o * groups + r)];
        t.select[at] = cc.select[static_cast<size_t>(o * groups + r)];
      } else {
        t.weights[at] = weights_.at(o, r);
      }
    }
  t.acts.resize(static_cast<size_t>(t.vectors * t.rows_used * t.lanes), 0);
  for (int64_t v = 0; v < t.vectors; ++v) {
    // Vectors are image-major. Dense layers read the input vector itself; convolutions go
    // through the im2col table.
    const int64_t image = (p.vec_begin + v) / plan_.positions;
    const int64_t position = (p.vec_begin + v) % plan_.positions;
    const int32_t* x = batch[static_cast<size_t>(image)].data.data();
    const int32_t* g = gather_.empty() ? nullptr : gather_.data() + position * columns_;
    auto value = [&](int64_t col) -> uint32_t {
      const int32_t at = g ? g[col] : static_cast<int32_t>(col);
      return at < 0 ? 0 : static_cast<uint32_t>(x[at]);
    };
    uint32_t* row = t.acts.data() + v * t.rows_used * t.lanes;
    for (int64_t i = 0; i < t.rows_used; ++i) {
      uint32_t* lane = row + i * t.lanes;
      const int64_t r = p.red_begin + i;
      if (!combined) {
        lane[0] = value(r);
        continue;
      }
      const std::vector<int32_t>& group = cc.groups[static_cast<size_t>(r)];
      for (size_t s = 0; s < group.size(); ++s) lane[s] = value(group[s]);
    }
  }
  t.decode_cycles = 0;  // set by the decoder
  return t;
}

std::vector<int64_t> Datapath::start() const {
  return std::vector<int64_t>(static_cast<size_t>(plan_.outputs * plan_.vectors), 0);
}

void Datapath::add(size_t k, const std::vector<int64_t>& sums, std::vector<int64_t>& acc) const {
  const compile::TilePlan& p = plan_.tiles[k];
  const int64_t O = plan_.outputs, cols = p.out_end - p.out_begin;
  for (int64_t v = 0; v < p.vec_end - p.vec_begin; ++v)
    for (int64_t j = 0; j < cols; ++j)
      acc[static_cast<size_t>((p.vec_begin + v) * O + p.out_begin + j)] +=
          sums[static_cast<size_t>(v * cols + j)];
}

std::vector<ref::Tensor> Datapath::finish(const std::vector<int64_t>& acc) const {
  const int64_t O = plan_.outputs, P = plan_.positions;
  std::vector<ref::Tensor> out(
      static_cast<size_t>(plan_.batch),
      ref::Tensor{out_, std::vector<int32_t>(static_cast<size_t>(out_.size()))});
  for (int64_t b = 0; b < plan_.batch; ++b)
    for (int64_t o = 0; o < O; ++o) {
      const int64_t bias = layer_.bias.empty() ? 0 : layer_.bias[static_cast<size_t>(o)];
      for (int64_t v = 0; v < P; ++v)
        out[static_cast<size_t>(b)].data[static_cast<size_t>(o * P + v)] =
            ref::requantize(acc[static_cast<size_t>((b * P + v) * O + o)] + bias, layer_, o);
    }
  return out;
}

std::vector<ref::Tensor> Datapath::run(const std::vector<ref::Tensor>& input, array::Model& model,
                                       const Ready& ready, LayerTiming& timing) const {
  std::vector<int64_t> acc = start();
  timing.tiles.clear();
  for (size_t k = 0; k < plan_.tiles.size(); ++k) {
    array::Tile t = tile(k, input);
    const TileReady r = ready(k);
    t.weights_ready = r.weights;
    t.inputs_ready = r.inputs;
    const array::TileResult res = model.run(t);
    timing.tiles.push_back(res.timing);
    add(k, res.sums, acc);
  }
  return finish(acc);
}

ref::Tensor pool(const net::Layer& l, const ref::Tensor& in, const net::TensorType& type) {
  ref::Tensor out{type, std::vector<int32_t>(static_cast<size_t>(type.size()))};
  for (int64_t c = 0; c < type.channels; ++c)
    for (int64_t y = 0; y < type.height; ++y)
      for (int64_t x = 0; x < type.width; ++x) {
        int64_t best = INT64_MIN, sum = 0;
        for (int64_t ky = 0; ky < l.kernel_h; ++ky)
          for (int64_t kx = 0; kx < l.kernel_w; ++kx) {
            const int64_t v = in.at(c, y * l.stride_h + ky, x * l.stride_w + kx);
            best = std::max(best, v);
            sum += v;
          }
        out.data[static_cast<size_t>((c * type.height + y) * type.width + x)] =
            l.kind == net::LayerKind::MaxPool ? static_cast<int32_t>(best)
                                              : ref::average(sum, l.kernel_h * l.kernel_w);
      }
  return out;
}

}  // namespace trine::models::accel
