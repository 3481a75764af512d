#pragma once
// The controller runs the compiled schedule on the hardware, one batch after another (the
// schedule's batch size; images beyond the last whole batch are not run). Per layer, in the
// schedule's order: DMA of the operands that live in DRAM into the input buffer, the layer
// kind's executor (models/accel/executor.hpp: the array for dense and convolution layers, the
// vector unit for pooling, add, concat, shift and global pooling, nothing for relu and
// flatten), and write-back of an output that does not stay on chip. It schedules the next
// interesting time only: DMA completions and the array's tile timing, never a wait per cycle.
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

#include "models/accel/dma.hpp"
#include "models/accel/exec_compute.hpp"
#include "models/accel/executor.hpp"
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

class Controller : public sc_core::sc_module, public HasStats, public accel::Host {
 public:
  tlm_utils::simple_initiator_socket<Controller> wbuf, ibuf, obuf;

  Controller(sc_core::sc_module_name name, const config::DesignPoint& dp, const net::Network& net,
             const compile::Schedule& schedule, std::vector<const uint8_t*> images, Dma& dma,
             WeightDecoder& decoder, SystolicArray& array, Buffers buffers);

  // Per batch, in order. Only the first batch keeps its per-layer results (the report's
  // table): a run of thousands of images would otherwise grow by a layer table per image.
  const std::vector<InferenceResult>& results() const { return results_; }
  // Resident weights: their load before the first inference (DRAM bytes, cycles and, with a
  // probe, its events), apart from every inference's figures; null when streamed.
  const report::LayerResult* preload() const { return preloaded_ ? &preload_ : nullptr; }
  const stats::Group& statistics() const override { return stats_; }
  const ClockDomain& clock() const override { return clock_; }
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
  // Called after each layer: the images of earlier batches done, the batch's size, the images
  // to run, and the layers of this batch done out of all: progress within a long batch.
  using LayerHook = std::function<void(int64_t images_done, int64_t batch, int64_t images,
                                       int64_t layers_done, int64_t layers)>;
  void set_layer_hook(LayerHook hook) { layer_hook_ = std::move(hook); }
  // Checks the outputs against the integer reference of `other` (same layers and shapes),
  // not of the network run: what a test of the check itself needs. Before the simulation;
  // `other` must outlive it.
  void check_against(const net::Network& other) {
    other_reference_ = std::make_unique<ref::Reference>(other);
  }

  // accel::Host, for the executors.
  void access(Port port, tlm::tlm_command cmd, uint64_t base, uint64_t bytes) override;
  int64_t now() const override;
  void wait_until(const sc_core::sc_time& t) override;
  report::Trace* trace_sink() const override { return trace_; }
  size_t submit_band(const compile::LayerPlan& p, size_t band, const sc_core::sc_time& start,
                     report::LayerResult& lr) override;
  int64_t band_arrival(size_t ticket, sc_core::sc_time* at) override;

 private:
  SC_HAS_PROCESS(Controller);
  void run();
  InferenceResult infer(const std::vector<const uint8_t*>& batch);
  report::LayerResult run_preload();
  report::LayerResult run_layer(const compile::LayerPlan& p, bool probe);
  // Loads the layer's operands that live in DRAM into the input buffer; the cycle they are in.
  int64_t load_operands(const compile::LayerPlan& p, report::LayerResult& lr);
  // Writes the layer's output to its DRAM region; the cycle the write ends.
  int64_t store_output(const compile::LayerPlan& p, report::LayerResult& lr);
  // Compares the layer's outputs with the reference's; fills in the first difference.
  bool differs(const compile::LayerPlan& p, const std::vector<std::vector<ref::Tensor>>& expected,
               InferenceResult& r);
  void trace_layer(const report::LayerResult& lr, size_t images);
  std::vector<std::vector<Dma::Job>> band_jobs_;  // per ticket (the current layer's bands)
  uint64_t storage_address(int storage) const {
    return storage < 0 ? input_base_ : act_base_[static_cast<size_t>(storage)];
  }

  const config::DesignPoint& dp_;
  const net::Network& net_;
  const compile::Schedule& schedule_;
  std::vector<const uint8_t*> images_;
  Dma& dma_;
  WeightDecoder& decoder_;
  Buffers buffers_;
  ClockDomain clock_;
  ref::Reference reference_;
  std::unique_ptr<ref::Reference> other_reference_;  // check_against()
  std::unique_ptr<ref::ReferenceAhead> expected_;    // the reference's outputs, image by image
  std::vector<net::TensorType> types_;
  net::TensorType image_type_;  // the network's input
  stats::Group stats_;
  stats::Counter requantized_, pool_ops_, vector_terms_, vector_moves_;
  // One executor per kind (kinds may share one), indexed by net::LayerKind.
  std::unique_ptr<accel::ComputeExecutor> compute_;
  std::vector<std::unique_ptr<accel::Executor>> vector_executors_;
  std::vector<accel::Executor*> executor_;
  // DRAM layout: the weights, the images, then each layer's output region (64-byte aligned).
  std::vector<uint64_t> act_base_;
  uint64_t input_base_ = 0;
  AccessScratch scratch_;
  accel::Batch image_;              // the batch's images as activations
  std::vector<accel::Batch> outs_;  // per layer, per image: storage reused across batches
  std::vector<InferenceResult> results_;
  report::LayerResult preload_;
  bool preloaded_ = false;
  bool finished_ = false;
  bool interrupted_ = false;
  BatchHook batch_hook_;
  LayerHook layer_hook_;
  StatsProbe probe_;
  report::Trace* trace_ = nullptr;
};

}  // namespace trine::models
