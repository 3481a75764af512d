#include "models/array/systolic_array.hpp"

#include "models/buffer/access.hpp"
#include "sim/compile/schedule.hpp"

namespace trine::models {

SystolicArray::SystolicArray(sc_core::sc_module_name name, const config::DesignPoint& dp)
    : sc_core::sc_module(name),
      ibuf("ibuf"),
      obuf("obuf"),
      shape_{dp.array.rows, dp.array.cols, static_cast<int>(dp.array.act_bits)},
      model_(array::make_model(dp.array.model, shape_)),
      act_bytes_(
          static_cast<uint64_t>(compile::activation_bytes(static_cast<int>(dp.array.act_bits)))),
      acc_bytes_(static_cast<uint64_t>(compile::accumulator_bytes(dp.array.acc_bits))),
      ibuf_size_(static_cast<uint64_t>(dp.buffers.input.size_bytes)),
      obuf_size_(static_cast<uint64_t>(dp.buffers.output.size_bytes)),
      stats_(this->name()),
      tiles_(stats_, "tiles", "tiles", "tiles computed"),
      load_cycles_(stats_, "load_cycles", "cycles", "cycles the shift chain spent loading weights"),
      compute_cycles_(
          stats_, "compute_cycles", "cycles",
          "cycles from a tile's first activation bit to its last sum (fill and drain included)"),
      mapped_cell_cycles_(
          stats_, "mapped_cell_cycles", "cell-cycles",
          "cells holding a mapped weight, times the cycles they stream activations"),
      nonzero_macs_(
          stats_, "nonzero_macs", "MACs",
          "multiply-accumulates with a nonzero weight (bit-serial: act_bits bit-steps each)"),
      activations_read_(stats_, "activations_read", "values",
                        "activations read from the input buffer"),
      psums_read_(stats_, "psums_read", "values", "partial sums read back from the output buffer"),
      psums_written_(stats_, "psums_written", "values",
                     "partial sums written to the output buffer") {}

array::TileResult SystolicArray::run(const array::Tile& t, bool accumulate, int64_t nonzeros) {
  const uint64_t acts = static_cast<uint64_t>(t.vectors * t.rows_used * t.lanes);
  const uint64_t sums = static_cast<uint64_t>(t.vectors * t.cols_used);
  stream_access(ibuf, tlm::TLM_READ_COMMAND, 0, acts * act_bytes_, ibuf_size_, scratch_, name());
  if (accumulate)
    stream_access(obuf, tlm::TLM_READ_COMMAND, 0, sums * acc_bytes_, obuf_size_, scratch_, name());
  stream_access(obuf, tlm::TLM_WRITE_COMMAND, 0, sums * acc_bytes_, obuf_size_, scratch_, name());
  array::TileResult r = model_->run(t);
  tiles_ += 1;
  load_cycles_ += static_cast<uint64_t>(r.timing.load_end - r.timing.load_start);
  compute_cycles_ += static_cast<uint64_t>(r.timing.compute_end - r.timing.compute_start);
  mapped_cell_cycles_ +=
      static_cast<uint64_t>(t.rows_used * t.cols_used * t.vectors * shape_.act_bits);
  nonzero_macs_ += static_cast<uint64_t>(nonzeros * t.vectors);
  activations_read_ += acts;
  if (accumulate) psums_read_ += sums;
  psums_written_ += sums;
  return r;
}

array::TileTiming SystolicArray::ideal(const array::Tile& t, array::Pipeline& pipeline) const {
  return pipeline.place(t, array::load_cycles(t), array::compute_cycles(shape_, t));
}

}  // namespace trine::models
