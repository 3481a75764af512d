#pragma once
// The accelerator's datapath for one layer: builds each planned tile from the decoded weights
// and the layer's input (im2col addressing, column-combining lanes), runs it on an array model,
// accumulates partial sums across reduction tiles, and requantizes; pooling runs on the vector
// unit. Values only: when each tile may start is the caller's business (`Ready`).
#include <functional>
#include <vector>

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
  // The array tile for planned tile `k`; `batch` holds the inputs of the plan's images.
  array::Tile tile(size_t k, const std::vector<ref::Tensor>& batch) const;
  // Partial sums of the whole layer, vector-major, all zero.
  std::vector<int64_t> start() const;
  // Adds tile `k`'s sums (vectors x its columns) into `acc`.
  void add(size_t k, const std::vector<int64_t>& sums, std::vector<int64_t>& acc) const;
  // Bias and requantization: the layer's output for each image of the batch.
  std::vector<ref::Tensor> finish(const std::vector<int64_t>& acc) const;
  // Runs every tile on `model` and requantizes.
  std::vector<ref::Tensor> run(const std::vector<ref::Tensor>& input, array::Model& model,
                               const Ready& ready, LayerTiming& timing) const;

 private:
  // Input index of im2col position (vector, column), or -1 for conv padding.
  int32_t source(int64_t vector, int64_t column) const;
  const net::Layer& layer_;
  const compile::LayerPlan& plan_;
  net::TensorType in_, out_;
  net::WeightMatrix weights_;    // decoded (not used for column combining)
  int64_t columns_ = 0;          // weight columns: the im2col row length
  std::vector<int32_t> gather_;  // conv: vectors x columns input indices, -1 for padding
};

// Max or average pooling on the vector unit.
ref::Tensor pool(const net::Layer& layer, const ref::Tensor& in, const net::TensorType& out);

}  // namespace trine::models::accel
