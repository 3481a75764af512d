#pragma once
// The controller runs the compiled schedule on the hardware, one batch after another (the
// schedule's batch size; images beyond the last whole batch are not run):
// DMA of inputs and weight tiles from DRAM into the buffers (two weight tiles in flight: the
// next one loads while the array computes), decode, compute, requantize, and write-back of
// outputs that do not stay on chip. It schedules the next interesting time only: DMA
// completions and the array's tile timing, never a wait per cycle.
//
// Every layer's output is compared with the integer reference as it is produced; the first
// difference stops the run and is reported (layer, index, values).
#include <tlm_utils/simple_initiator_socket.h>
#include <systemc>
#include <tlm>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "models/accel/datapath.hpp"
#include "models/accel/dma.hpp"
#include "models/array/systolic_array.hpp"
#include "models/buffer/access.hpp"
#include "models/buffer/sram_buffer.hpp"
#include "models/common/stats_walker.hpp"
#include "models/decoder/decoder.hpp"
#include "sim/compile/schedule.hpp"
#include "sim/ref/ahead.hpp"
#include "sim/ref/reference.hpp"
#include "sim/report/results.hpp"
#include "sim/report/trace.hpp"

namespace trine::models {

using report::InferenceResult;
using report::LayerResult;
using report::Mismatch;

struct Buffers {
  SramBuffer& weight;
  SramBuffer& input;
  SramBuffer& output;
};

// Brings every counter of the hardware up to the current time and returns them (the
// Accelerator finds them once by walking its tree).
using StatsProbe = std::function<const stats::CounterSet&()>;

class Controller : public sc_core::sc_module, public HasStats {
 public:
  tlm_utils::simple_initiator_socket<Controller> wbuf, ibuf, obuf;

  Controller(sc_core::sc_module_name name, const config::DesignPoint& dp, const net::Network& net,
             const compile::Schedule& schedule, std::vector<const uint8_t*> images, Dma& dma,
             WeightDecoder& decoder, SystolicArray& array, Buffers buffers);

  // Per batch, in order. Only the first batch keeps its per-layer results (the report's
  // table): a run of thousands of images would otherwise grow by a layer table per image.
  const std::vector<InferenceResult>& results() const { return results_; }
  const stats::Group& statistics() const override { return stats_; }
  const ClockDomain& clock() const { return clock_; }
  // Called at each layer boundary of the first batch to attribute events to layers.
  void set_probe(StatsProbe probe) { probe_ = std::move(probe); }
  // Records layers, decoder work and tiles into `trace` (which must outlive the run).
  void set_trace(report::Trace* trace) { trace_ = trace; }
  bool finished() const { return finished_; }
  // Called after each batch with the images done and the images to run; returning false
  // stops the run there (finished() holds, interrupted() tells): progress displays and Ctrl-C.
  using BatchHook = std::function<bool(int64_t done, int64_t total)>;
  void set_batch_hook(BatchHook hook) { batch_hook_ = std::move(hook); }
  bool interrupted() const { return interrupted_; }
  // Checks the outputs against the integer reference of `other` (same layers and shapes),
  // not of the network run: what a test of the check itself needs. Before the simulation;
  // `other` must outlive it.
  void check_against(const net::Network& other) {
    other_reference_ = std::make_unique<ref::Reference>(other);
  }

 private:
  SC_HAS_PROCESS(Controller);
  void run();
  InferenceResult infer(const std::vector<const uint8_t*>& batch);
  void wait_until(int64_t cycle);
  void wait_until(const sc_core::sc_time& t);
  int64_t now() const;
  // Submits the weight DMA of the g-th compute tile of the inference (once), to start at
  // `start`.
  void fetch(size_t g, const sc_core::sc_time& start);

  const config::DesignPoint& dp_;
  const net::Network& net_;
  const compile::Schedule& schedule_;
  std::vector<const uint8_t*> images_;
  Dma& dma_;
  WeightDecoder& decoder_;
  SystolicArray& array_;
  Buffers buffers_;
  ClockDomain clock_;
  ref::Reference reference_;
  std::unique_ptr<ref::Reference> other_reference_;  // check_against()
  std::unique_ptr<ref::ReferenceAhead> expected_;    // the reference's outputs, image by image
  std::vector<net::TensorType> types_;
  std::vector<std::unique_ptr<accel::Datapath>> paths_;  // per compute layer: decoded once
  std::vector<CellWeights> cells_;                       // per compute layer
  // DRAM layout: each layer's weights (blocks at 64-byte boundaries), then activations.
  std::vector<uint64_t> weight_base_, act_base_;
  std::vector<std::vector<uint64_t>> tile_address_;  // per layer, per planned tile
  uint64_t input_base_ = 0;
  AccessScratch scratch_;
  std::vector<array::Tile> tiles_;  // per layer, the tile being built (its storage reused)
  // A layer's partial sums, its input and the tensors its output goes to before it becomes
  // the next layer's input (the input's storage then takes the next output): reused across
  // layers and inferences, not reallocated.
  std::vector<int64_t> acc_;
  std::vector<ref::Tensor> x_, next_;  // x_: the current activations, per image
  std::vector<uint32_t> streams_;      // a dense layer's activation streams (Datapath::gather)
  std::vector<std::pair<size_t, size_t>> tile_order_;  // (layer, tile) of every compute tile
  std::vector<Dma::Job> weight_jobs_;                  // by position in tile_order_
  std::vector<char> fetched_;                          // by position in tile_order_
  uint64_t tiles_loaded_ = 0;
  size_t next_tile_ = 0;  // position in tile_order_ of the current layer's first tile
  std::vector<InferenceResult> results_;
  bool finished_ = false;
  bool interrupted_ = false;
  BatchHook batch_hook_;
  StatsProbe probe_;
  report::Trace* trace_ = nullptr;
  stats::Group stats_;
  stats::Counter requantized_, pool_ops_;
};

}  // namespace trine::models
