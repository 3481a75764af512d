#pragma once
// The accelerator's datapath for one layer: builds each planned tile from the decoded weights
// and the layer's input (im2col addressing, column-combining lanes), runs it on an array model,
// accumulates partial sums across reduction tiles, and requantizes. Values only: when each tile may
// start is the caller's business (`Ready`).
#include <functional>
#include <vector>

#include "models/accel/vector_unit.hpp"  // (pooling: the vector unit)
#include "models/array/array.hpp"
#include "sim/compile/schedule.hpp"
#include "sim/ref/reference.hpp"

namespace trine::models::accel {

struct TileReady {
  int64_t weights = 0, inputs = 0;  // earliest load start and compute start (cycles)
};
using Ready = std::function<TileReady(size_t tile)>;

struct LayerTiming {
  std::vector<array::TileTiming> tiles;  // per planned tile
};

class Datapath {
 public:
  // Decodes the layer's weights once. `layer` must be a compute layer of `plan`.
  Datapath(const net::Layer& layer, const compile::LayerPlan& plan, const net::TensorType& in,
           const net::TensorType& out);
  // The array tile for planned tile `k`; `batch` holds the inputs of the plan's images. Its
  // weights are views of this datapath's decoded blocks: valid while the datapath lives.
  array::Tile tile(size_t k, const std::vector<ref::Tensor>& batch) const {
    array::Tile t;
    tile(k, batch, nullptr, t);
    return t;
  }
  // A dense layer with one vector (one image) feeds every tile the same streams, a slice per
  // reduction range: gathers all of them from `batch` into `streams` once for the layer (and
  // returns true), or empties `streams` and returns false for a layer whose tiles build their
  // own.
  bool gather(const std::vector<ref::Tensor>& batch, std::vector<uint32_t>& streams) const;
  // The tile into `t`, reusing its storage; its activations view `streams` when gather()
  // filled it from the same batch (then valid while `streams` stands), else are its own
  // (`streams` empty or null).
  void tile(size_t k, const std::vector<ref::Tensor>& batch, const std::vector<uint32_t>* streams,
            array::Tile& t) const;
  // Whether every input value fits `act_bits` unsigned bits: then so does every tile's
  // activation (copies and zeros), and the tiles may say so (array::Tile::acts_checked).
  static bool fits(const std::vector<ref::Tensor>& batch, int act_bits);
  // Partial sums of the whole layer, output-major (outputs x vectors), all zero.
  std::vector<int64_t> start() const {
    std::vector<int64_t> acc;
    start(acc);
    return acc;
  }
  // The same into `acc`, reusing its storage.
  void start(std::vector<int64_t>& acc) const;
  // Adds tile `k`'s sums (its columns x its vectors) into `acc`.
  void add(size_t k, const std::vector<int64_t>& sums, std::vector<int64_t>& acc) const;
  // Bias and requantization: the layer's output for each image of the batch.
  std::vector<ref::Tensor> finish(const std::vector<int64_t>& acc) const {
    std::vector<ref::Tensor> out;
    finish(acc, out);
    return out;
  }
  // The same into `out`, reusing its tensors' storage.
  void finish(const std::vector<int64_t>& acc, std::vector<ref::Tensor>& out) const;
  // Runs every tile on `model` and requantizes.
  std::vector<ref::Tensor> run(const std::vector<ref::Tensor>& input, array::Model& model,
                               const Ready& ready, LayerTiming& timing) const;

 private:
  // What the weight buffer delivers for one (output, reduction) block of the weights.
  struct Block {
    std::vector<int8_t> weights;       // rows x cols of the array tile
    std::vector<uint8_t> select;       // column combining: lane indices
    std::vector<int8_t> lane_weights;  // column combining: array::Tile::lane_weights
    std::vector<uint32_t> lane_rows;   // and the lane rows it lists
    bool checked = false;              // passes array::weight_error (Tile::weights_checked)
  };
  const net::Layer& layer_;
  const compile::LayerPlan& plan_;
  net::TensorType in_, out_;
  std::vector<std::pair<int64_t, int64_t>> xs_;  // conv: per kernel column, output columns inside
  struct Tap {
    int32_t channel, ky, kx;
  };
  std::vector<Tap> taps_;      // conv: per im2col column, what it reads (no divides per stream)
  std::vector<Block> blocks_;  // by block number, decoded once
  // The weight column (im2col column for convolutions) each lane of each reduction row reads,
  // reduction rows x lanes; -1 where a combined group has fewer channels than lanes.
  std::vector<int32_t> lane_cols_;
};

}  // namespace trine::models::accel
