#pragma once
// The accelerator top: DRAM (or, with offchip: io, the chip's I/O to a host), the DMA engine,
// the weight, input and output buffers, the weight decoder, the systolic array and the
// controller, wired by their TLM sockets:
//
//   controller --dma--> Dram | ChipIo  controller --wbuf/ibuf/obuf--> buffers (fills, drains)
//   decoder --wbuf--> weight buffer    array --ibuf/obuf--> input and output buffers
#include <systemc>

#include <memory>
#include <vector>

#include "models/accel/controller.hpp"
#include "models/accel/dma.hpp"
#include "models/array/systolic_array.hpp"
#include "models/buffer/sram_buffer.hpp"
#include "models/decoder/decoder.hpp"
#include "models/dram/dram.hpp"
#include "models/io/chip_io.hpp"

namespace trine::models {

class Accelerator : public sc_core::sc_module {
 public:
  // Runs `images` one after another once the simulation starts. The schedule must come from
  // compile(net, dp); both must outlive the module.
  // `trace`: keep every DRAM command, DMA job, decode and tile for event_trace()
  // (docs/traces.md).
  Accelerator(sc_core::sc_module_name name, const config::DesignPoint& dp, const net::Network& net,
              const compile::Schedule& schedule, std::vector<const uint8_t*> images,
              bool trace = false);

  // The run's events once the simulation is over (null unless constructed with `trace`).
  report::Trace* event_trace();  // (not trace(): that is sc_object's VCD hook)
  // Brings the off-chip side up to the end of the run (DRAM refreshes of the idle tail and its
  // derived statistics); call once the simulation is over.
  void finish() {
    if (dram) dram->finish();
  }

  std::unique_ptr<Dram> dram;  // offchip: dram
  std::unique_ptr<ChipIo> io;  // offchip: io
  Dma dma;
  SramBuffer wbuf, ibuf, obuf;
  WeightDecoder decoder;
  SystolicArray array;
  Controller controller;

 private:
  void start_trace();
  std::unique_ptr<report::Trace> trace_;  // layers, tiles, DMA jobs and DRAM commands
  bool trace_finished_ = false;
  std::vector<uint64_t> command_seq_;            // per DRAM channel: commands traced so far
  std::unique_ptr<stats::CounterSet> counters_;  // for the controller's probe, found once
};

}  // namespace trine::models
