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

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "models/accel/datapath.hpp"
#include "models/accel/dma.hpp"
#include "models/array/systolic_array.hpp"
#include "models/buffer/sram_buffer.hpp"
#include "models/decoder/decoder.hpp"
#include "sim/compile/schedule.hpp"
#include "sim/ref/reference.hpp"

namespace trine::models {

struct LayerResult {
  std::string name, kind, form;
  int64_t start = 0, end = 0;  // accelerator cycles
  int64_t ideal = 0;           // cycles with every DRAM transfer instantaneous
  int64_t tiles = 0, skipped_tiles = 0;
  int64_t macs = 0, nonzero_macs = 0, mapped_cell_cycles = 0;
  uint64_t dram_read = 0, dram_written = 0;
  uint64_t wbuf_bytes = 0, ibuf_bytes = 0, obuf_bytes = 0;
  uint64_t decoder_throttle = 0;
  int64_t cycles() const { return end - start; }
  int64_t stall() const { return cycles() - ideal; }
};

struct Mismatch {
  int64_t image = 0;  // within the batch
  std::string layer;
  int64_t index = 0;
  int32_t simulated = 0, reference = 0;
};

// One batch of images through the network.
struct InferenceResult {
  std::vector<LayerResult> layers;
  int64_t start = 0, end = 0;
  std::vector<std::vector<int32_t>> outputs;  // the last layer's, per image
  std::vector<int64_t> predictions;           // per image
  bool mismatch = false;
  Mismatch first_mismatch;
};

struct Buffers {
  SramBuffer& weight;
  SramBuffer& input;
  SramBuffer& output;
};

class Controller : public sc_core::sc_module {
 public:
  tlm_utils::simple_initiator_socket<Controller> wbuf, ibuf, obuf;

  Controller(sc_core::sc_module_name name, const config::DesignPoint& dp, const net::Network& net,
             const compile::Schedule& schedule, std::vector<const uint8_t*> images, Dma& dma,
             WeightDecoder& decoder, SystolicArray& array, Buffers buffers);

  const std::vector<InferenceResult>& results() const { return results_; }
  bool finished() const { return finished_; }

 private:
  SC_HAS_PROCESS(Controller);
  void run();
  InferenceResult infer(const std::vector<const uint8_t*>& batch);
  void wait_until(int64_t cycle);
  int64_t now() const;
  uint64_t tile_address(size_t layer, const compile::TilePlan& t);
  // Submits the weight DMA of the g-th compute tile of the inference (once).
  void fetch(size_t g);

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
  std::vector<net::TensorType> types_;
  std::vector<std::unique_ptr<accel::Datapath>> paths_;  // per compute layer: decoded once
  // DRAM layout: each layer's weights (tiles at fixed offsets), then activations.
  std::vector<uint64_t> weight_base_, act_base_;
  std::vector<std::map<std::pair<int64_t, int64_t>, uint64_t>> tile_offset_;
  uint64_t input_base_ = 0;
  std::vector<unsigned char> scratch_;
  std::vector<std::pair<size_t, size_t>> tile_order_;  // (layer, tile) of every compute tile
  std::map<size_t, Dma::Job> weight_jobs_;             // by position in tile_order_
  uint64_t tiles_loaded_ = 0;
  size_t next_tile_ = 0;  // position in tile_order_ of the current layer's first tile
  std::vector<InferenceResult> results_;
  bool finished_ = false;
};

}  // namespace trine::models
