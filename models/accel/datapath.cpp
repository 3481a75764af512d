#include "models/accel/datapath.hpp"

#include <algorithm>
#include <climits>
#include <cstring>

#include "sim/util/kernels.hpp"

namespace trine::models::accel {

using net::WeightForm;

Datapath::Datapath(const net::Layer& layer, const compile::LayerPlan& plan,
                   const net::TensorType& in, const net::TensorType& out)
    : layer_(layer), plan_(plan), in_(in), out_(out) {
  // The output columns each kernel column reads inside the image (the rest is padding).
  if (layer.kind == net::LayerKind::Conv2d) {
    for (int64_t kx = 0; kx < layer.kernel_w; ++kx)
      xs_.push_back(ref::valid_outputs(out.width, layer.stride_w, layer.pad_w, kx, in.width));
    // A grouped layer's im2col columns are its group's channels; tile() adds the group's first.
    for (int64_t c = 0; c < in.channels / layer.groups; ++c)
      for (int64_t ky = 0; ky < layer.kernel_h; ++ky)
        for (int64_t kx = 0; kx < layer.kernel_w; ++kx)
          taps_.push_back(
              {static_cast<int32_t>(c), static_cast<int32_t>(ky), static_cast<int32_t>(kx)});
  }
  // Every distinct weight block of the plan, decoded once.
  const bool combined = layer.weights.form == WeightForm::ColComb;
  const net::WeightMatrix decoded = combined ? net::WeightMatrix() : layer.weights.decode();
  const net::ColCombCode& cc = layer.weights.colcomb;
  const int64_t groups = static_cast<int64_t>(cc.groups.size());
  for (size_t k = 0; k < static_cast<size_t>(plan.blocks); ++k) {
    const compile::TilePlan& p = plan.tiles[k];
    const int64_t rows = p.red_end - p.red_begin, cols = p.out_end - p.out_begin;
    Block b;
    b.weights.resize(static_cast<size_t>(rows * cols));
    if (combined) b.select.resize(b.weights.size());
    for (int64_t i = 0; i < rows; ++i)
      for (int64_t j = 0; j < cols; ++j) {
        const int64_t o = p.out_begin + j, r = p.red_begin + i;
        const size_t at = static_cast<size_t>(i * cols + j);
        if (combined) {
          b.weights[at] = cc.values[static_cast<size_t>(o * groups + r)];
          b.select[at] = cc.select[static_cast<size_t>(o * groups + r)];
        } else {
          b.weights[at] = decoded.at(o, r);
        }
      }
    // (A select out of range is the array's to refuse: no planes then.)
    const bool in_range =
        std::all_of(b.select.begin(), b.select.end(), [&](uint8_t s) { return s < plan.lanes; });
    if (combined && in_range)
      array::listed_lane_weights(b.weights.data(), b.select.data(), rows, cols, plan.lanes,
                                 b.lane_rows, b.lane_weights);
    {
      // The array's weight-side checks, once for the block rather than at every tile.
      array::Tile view;
      view.reduction = rows;
      view.lanes = plan.lanes;
      view.select.view(b.select);
      view.lane_rows.view(b.lane_rows);
      b.checked = array::weight_error(view) == nullptr;
    }
    blocks_.push_back(std::move(b));
  }
  int64_t rows = 0;
  for (const compile::TilePlan& p : plan.tiles) rows = std::max(rows, p.red_end);
  lane_cols_.assign(static_cast<size_t>(rows * plan.lanes), -1);
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t s = 0; s < plan.lanes; ++s) {
      int64_t col = s == 0 ? r : -1;
      if (combined) {
        const std::vector<int32_t>& group = cc.groups[static_cast<size_t>(r)];
        col = s < static_cast<int64_t>(group.size()) ? group[static_cast<size_t>(s)] : -1;
      }
      lane_cols_[static_cast<size_t>(r * plan.lanes + s)] = static_cast<int32_t>(col);
    }
}

namespace {

// Lane by lane from one input vector: stream i reads x[cols[i]], or carries zero where a lane
// is unused (cols[i] < 0). Branch-free: which lanes are empty follows the groups' sizes, too
// irregular to predict.
void gather_lanes(const int32_t* x, const int32_t* cols, int64_t streams, uint32_t* out) {
  for (int64_t i = 0; i < streams; ++i) {
    const int32_t c = cols[i];
    const uint32_t used = c < 0 ? 0u : ~0u;
    out[i] = static_cast<uint32_t>(x[c < 0 ? 0 : c]) & used;
  }
}

}  // namespace

bool Datapath::gather(const std::vector<ref::Tensor>& batch, std::vector<uint32_t>& streams) const {
  if (layer_.kind == net::LayerKind::Conv2d || plan_.vectors != 1) {
    streams.clear();  // (tile() then builds each tile's own)
    return false;
  }
  streams.resize(lane_cols_.size());
  gather_lanes(batch[0].data.data(), lane_cols_.data(), static_cast<int64_t>(lane_cols_.size()),
               streams.data());
  return true;
}

void Datapath::tile(size_t k, const std::vector<ref::Tensor>& batch,
                    const std::vector<uint32_t>* streams, array::Tile& t) const {
  const compile::TilePlan& p = plan_.tiles[k];
  t.reduction = p.red_end - p.red_begin;
  t.outputs = p.out_end - p.out_begin;
  t.vectors = p.vec_end - p.vec_begin;
  t.lanes = plan_.lanes;
  const Block& b = blocks_[static_cast<size_t>(p.block)];
  // (Views: the blocks stay as they are for the datapath's life.)
  t.weights.view(b.weights);
  t.select.view(b.select);
  t.lane_weights.clear();
  t.lane_rows.clear();
  t.weights_checked = b.checked;  // (for the lane planes too, when viewed below)
  t.decode_cycles = 0;            // set by the decoder
  t.weights_ready = t.inputs_ready = 0;
  const int64_t V = t.vectors, P = plan_.positions;
  const int64_t OH = out_.height, OW = out_.width;
  const bool conv = layer_.kind == net::LayerKind::Conv2d;
  // Where the tile's first vector lies: image, output row and column.
  const int64_t first_image = p.vec_begin / P, first_oy = p.vec_begin % P / OW,
                first_ox = p.vec_begin % P % OW;
  // The weight column each lane of each array row reads (a combined group's channels).
  const int32_t* cols = lane_cols_.data() + p.red_begin * t.lanes;
  // A grouped convolution's tile lies inside one group: its first input channel.
  const int64_t group_channel =
      conv ? p.out_begin / plan_.group_outputs * (in_.channels / layer_.groups) : 0;
  const int64_t streams_used = t.reduction * t.lanes;
  if (!conv && V == 1) {  // dense, one image: lane by lane from the input vector
    // (One vector: lane by lane beats a gather per cell.)
    t.lane_weights.view(b.lane_weights);
    t.lane_rows.view(b.lane_rows);
    if (streams && streams->size() == lane_cols_.size()) {  // gather() filled it
      t.acts.view(streams->data() + p.red_begin * t.lanes, static_cast<size_t>(streams_used));
      return;
    }
    std::vector<uint32_t>& acts = t.acts.own();
    acts.resize(static_cast<size_t>(streams_used));
    gather_lanes(batch[static_cast<size_t>(p.vec_begin)].data.data(), cols, streams_used,
                 acts.data());
    return;
  }
  std::vector<uint32_t>& acts = t.acts.own();
  acts.resize(static_cast<size_t>(streams_used * V));
  // Every element is written once below (zeros where a lane is unused or reads padding).
  for (int64_t i = 0; i < t.reduction; ++i)
    for (int64_t s = 0; s < t.lanes; ++s) {
      const int64_t col = cols[i * t.lanes + s];
      uint32_t* stream = acts.data() + (i * t.lanes + s) * V;
      if (col < 0) {  // a lane the group does not use carries zeros
        std::fill(stream, stream + V, 0u);
        continue;
      }
      if (!conv) {  // dense: one vector per image, the input itself
        for (int64_t v = 0; v < V; ++v)
          stream[v] = static_cast<uint32_t>(batch[static_cast<size_t>(p.vec_begin + v)].data[col]);
        continue;
      }
      // Convolution: the im2col column `col` over the tile's positions. Vectors are
      // image-major, positions row-major: walk them an output row at a time, where the column
      // reads one input row at the stride, with zero padding at both ends.
      const Tap& tap = taps_[static_cast<size_t>(col)];
      const int64_t c = group_channel + tap.channel, ky = tap.ky, kx = tap.kx;
      const auto [inside_lo, inside_hi] = xs_[static_cast<size_t>(kx)];
      int64_t image = first_image, oy = first_oy, ox0 = first_ox;
      for (int64_t v = 0; v < V;) {
        const int64_t n = std::min(V - v, OW - ox0);  // the rest of this output row
        const int64_t iy = oy * layer_.stride_h - layer_.pad_h + ky;
        uint32_t* out = stream + v - ox0;  // indexed by output column
        if (iy >= 0 && iy < in_.height) {
          const int32_t* row = batch[static_cast<size_t>(image)].data.data() +
                               (c * in_.height + iy) * in_.width - layer_.pad_w + kx;
          const int64_t lo = std::clamp(inside_lo, ox0, ox0 + n),
                        hi = std::clamp(inside_hi, lo, ox0 + n);
          std::fill(out + ox0, out + lo, 0u);  // left padding
          if (layer_.stride_w == 1)
            std::memcpy(out + lo, row + lo, static_cast<size_t>(hi - lo) * sizeof(uint32_t));
          else
            for (int64_t ox = lo; ox < hi; ++ox)
              out[ox] = static_cast<uint32_t>(row[ox * layer_.stride_w]);
          std::fill(out + hi, out + ox0 + n, 0u);  // right padding
        } else {
          std::fill(out + ox0, out + ox0 + n, 0u);  // a padding row
        }
        v += n;
        ox0 = 0;
        if (++oy == OH) oy = 0, ++image;
      }
    }
}

bool Datapath::fits(const std::vector<ref::Tensor>& batch, int act_bits) {
  // The bits of all values OR-ed (a negative one sets the top bits): no early exit, it
  // vectorizes.
  uint32_t bits = 0;
  for (const ref::Tensor& x : batch)
    for (int32_t v : x.data) bits |= static_cast<uint32_t>(v);
  return (static_cast<uint64_t>(bits) >> act_bits) == 0;
}

void Datapath::start(std::vector<int64_t>& acc) const {
  acc.assign(static_cast<size_t>(plan_.outputs * plan_.vectors), 0);
}

void Datapath::add(size_t k, const std::vector<int64_t>& sums, std::vector<int64_t>& acc) const {
  const compile::TilePlan& p = plan_.tiles[k];
  const int64_t V = p.vec_end - p.vec_begin;
  if (V == plan_.vectors) {  // all the vectors: the tile's sums are contiguous in `acc`
    kernels::add(acc.data() + p.out_begin * V, sums.data(), (p.out_end - p.out_begin) * V);
    return;
  }
  for (int64_t j = 0; j < p.out_end - p.out_begin; ++j)
    kernels::add(acc.data() + (p.out_begin + j) * plan_.vectors + p.vec_begin, sums.data() + j * V,
                 V);
}

void Datapath::finish(const std::vector<int64_t>& acc, std::vector<ref::Tensor>& out) const {
  const int64_t O = plan_.outputs, P = plan_.positions;
  out.resize(static_cast<size_t>(plan_.batch));
  for (ref::Tensor& t : out) {
    t.type = out_;
    t.data.resize(static_cast<size_t>(out_.size()));  // every value written below
  }
  for (int64_t b = 0; b < plan_.batch; ++b)
    for (int64_t o = 0; o < O; ++o) {
      const int64_t bias = layer_.bias.empty() ? 0 : layer_.bias[static_cast<size_t>(o)];
      const int64_t* from = acc.data() + o * plan_.vectors + b * P;
      int32_t* to = out[static_cast<size_t>(b)].data.data() + o * P;
      ref::Requantizer(layer_, o).run(from, bias, to, P);
    }
}

std::vector<ref::Tensor> Datapath::run(const std::vector<ref::Tensor>& input, array::Model& model,
                                       const Ready& ready, LayerTiming& timing) const {
  std::vector<int64_t> acc = start();
  timing.tiles.clear();
  array::Tile t;
  array::TileResult res;
  const bool checked = fits(input, model.shape().act_bits);
  std::vector<uint32_t> streams;
  gather(input, streams);
  for (size_t k = 0; k < plan_.tiles.size(); ++k) {
    tile(k, input, &streams, t);
    t.acts_checked = checked;
    const TileReady r = ready(k);
    t.weights_ready = r.weights;
    t.inputs_ready = r.inputs;
    model.run(t, res);
    timing.tiles.push_back(res.timing);
    add(k, res.sums, acc);
  }
  return finish(acc);
}

}  // namespace trine::models::accel
