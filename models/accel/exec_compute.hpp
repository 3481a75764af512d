#pragma once
// Dense and convolution layers on the systolic array: weight tiles stream from DRAM into the
// weight buffer's slots (Schedule::prefetch_tiles in flight, two by default, across layer
// boundaries: the next tiles load while the array computes) or, resident, are read where preload()
// put them; the decoder reads them from the buffer, activations stream from the input buffer,
// partial sums gather in the output buffer, and requantization ends the layer.
#include <memory>
#include <utility>
#include <vector>

#include "models/accel/datapath.hpp"
#include "models/accel/dma.hpp"
#include "models/accel/executor.hpp"
#include "models/array/systolic_array.hpp"
#include "models/decoder/decoder.hpp"
#include "sim/config/design_point.hpp"

namespace trine::models::accel {

class ComputeExecutor : public Executor {
 public:
  // The network's weight image is at DRAM address 0 (compile::TilePlan::weight_address);
  // weights_end() is the first address after it. `requantized` counts the values requantized.
  // `types`: every layer's output type (net::infer_types).
  ComputeExecutor(const config::DesignPoint& dp, const net::Network& net,
                  const std::vector<net::TensorType>& types, const compile::Schedule& schedule,
                  Host& host, Dma& dma, WeightDecoder& decoder, SystolicArray& array,
                  stats::Counter& requantized);
  uint64_t weights_end() const { return static_cast<uint64_t>(schedule_.weight_bytes); }
  // Resident weights: loads the whole image from DRAM into the weight buffer and returns when
  // it is there (the bytes read); streamed weights: nothing (0).
  uint64_t preload();
  void start_batch() override;
  int64_t run(LayerWork& work) override;

 private:
  struct TileWeights {
    int64_t ready;  // cycle the tile's weights are in the buffer
    uint64_t slot;  // their address in the weight buffer
  };
  // Tile g's weights: waited for (streamed: `at` moves to their arrival) and written into
  // their slot, or where they already are (resident).
  TileWeights tile_weights(size_t g, const compile::TilePlan& tp, report::LayerResult& lr,
                           sc_core::sc_time& at);
  // Submits the weight DMAs of the compute tiles of the inference before the `end`-th not yet
  // fetched, to start at `start` (each once, in order).
  void fetch_below(size_t end, const sc_core::sc_time& start);
  void fetch(size_t g, const sc_core::sc_time& start);
  void trace_tile(const LayerWork& work, size_t k, const array::Tile& t,
                  const array::TileTiming& timing) const;

  const config::DesignPoint& dp_;
  const compile::Schedule& schedule_;
  Host& host_;
  Dma& dma_;
  WeightDecoder& decoder_;
  SystolicArray& array_;
  stats::Counter& requantized_;
  std::vector<std::unique_ptr<Datapath>> paths_;  // per compute layer: decoded once
  std::vector<CellWeights> cells_;                // per compute layer
  std::vector<array::Tile> tiles_;  // per layer, the tile being built (its storage reused)
  std::vector<int64_t> acc_;        // the layer's partial sums, reused across layers
  std::vector<uint32_t> streams_;   // a dense layer's activation streams (Datapath::gather)
  std::vector<std::pair<size_t, size_t>> tile_order_;  // (layer, tile) of every compute tile
  std::vector<Dma::Job> weight_jobs_;                  // by position in tile_order_
  uint64_t tiles_loaded_ = 0;
  size_t next_tile_ = 0;   // position in tile_order_ of the current layer's first tile
  size_t next_fetch_ = 0;  // the first tile in tile_order_ whose weights are not fetched
};

}  // namespace trine::models::accel
