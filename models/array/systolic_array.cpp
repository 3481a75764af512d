#include "models/array/systolic_array.hpp"

#include <algorithm>

#include "models/buffer/access.hpp"
#include "sim/compile/schedule.hpp"

namespace trine::models {

SystolicArray::SystolicArray(sc_core::sc_module_name name, const config::DesignPoint& dp)
    : sc_core::sc_module(name),
      ibuf("ibuf"),
      obuf("obuf"),
      shape_(dp.array.shape()),
      mapping_(array::mapping(shape_.dataflow)),
      model_(array::make_model(dp.array.model, shape_)),
      act_bytes_(
          static_cast<uint64_t>(compile::activation_bytes(static_cast<int>(dp.array.act_bits)))),
      acc_bytes_(static_cast<uint64_t>(compile::accumulator_bytes(dp.array.acc_bits))),
      ibuf_size_(static_cast<uint64_t>(dp.buffers.input.size_bytes)),
      obuf_size_(static_cast<uint64_t>(dp.buffers.output.size_bytes)),
      stats_(this->name()),
      tiles_(stats_, "tiles", "tiles", "tiles computed"),
      load_cycles_(stats_, "load_cycles", "cycles",
                   "cycles spent loading what stays in the cells (and decoding the weights)"),
      compute_cycles_(
          stats_, "compute_cycles", "cycles",
          "cycles from a tile's first streamed value to its last sum (fill and drain included)"),
      mapped_cell_cycles_(stats_, "mapped_cell_cycles", "cell-cycles",
                          "cells with a mapped operand pair, times the cycles they compute",
                          {dp.array.cell == array::Cell::BitSerial ? "array.cell_cycle"
                                                                   : "array.parallel.cell_cycle",
                           {}}),
      nonzero_macs_(
          stats_, "nonzero_macs", "MACs",
          "multiply-accumulates with a nonzero weight (bit-serial: act_bits bit-steps each)"),
      activations_read_(stats_, "activations_read", "values",
                        "activations read from the input buffer"),
      psums_read_(stats_, "psums_read", "values",
                  "partial sums read back from the output buffer and added to the tile's sums",
                  {"array.psum_add", {{"acc_bits", static_cast<double>(dp.array.acc_bits)}}}),
      psums_written_(stats_, "psums_written", "values",
                     "partial sums written to the output buffer"),
      bit_steps_ternary_(stats_, "bit_steps.ternary", "bit-steps",
                         "activation bits a cell with a nonzero ternary weight added or subtracted",
                         {"array.bit_step.ternary", {}}),
      bit_steps_int8_(stats_, "bit_steps.int8", "bit-steps",
                      "activation bits a cell with a nonzero 8-bit weight accumulated",
                      {"array.bit_step.int8", {}}),
      weight_bit_steps_kbit_(
          stats_, "bit_steps.kbit", "weight-bit-steps",
          "activation bits a cell with a nonzero k-bit weight accumulated, times k",
          {"array.bit_step.kbit", {}}),
      macs_ternary_(
          stats_, "macs.ternary", "MACs",
          "bit-parallel: multiply-accumulates with a nonzero ternary weight (an add or a "
          "subtract of the whole activation)",
          {"array.parallel.mac_ternary", {{"act_bits", static_cast<double>(dp.array.act_bits)}}}),
      macs_int8_(
          stats_, "macs.int8", "MACs",
          "bit-parallel: multiply-accumulates with a nonzero 8-bit weight",
          {"array.parallel.mac_int8", {{"act_bits", static_cast<double>(dp.array.act_bits)}}}),
      weight_macs_kbit_(
          stats_, "macs.kbit", "weight-bit-MACs",
          "bit-parallel: multiply-accumulates with a nonzero k-bit weight, times k",
          {"array.parallel.mac_kbit", {{"act_bits", static_cast<double>(dp.array.act_bits)}}}),
      weight_shift_bits_(stats_, "weight_shift_bits", "bit-hops",
                         "weight and lane-index bits moved one row down the load shift chain",
                         {"array.weight_shift_bit", {}}),
      activation_shift_bits_(
          stats_, "activation_shift_bits", "bit-hops",
          "activation bits moved one row down the load shift chain (input-stationary)",
          {"array.weight_shift_bit", {}}),
      accumulator_updates_(
          stats_, "accumulator_updates", "updates",
          "digit-planes added into an accumulator (a column's, or with os every cell's own)",
          {"array.accumulate", {{"acc_bits", static_cast<double>(dp.array.acc_bits)}}}) {}

CellWeights CellWeights::of(const net::Weights& w) {
  CellWeights c;
  switch (w.form) {
    case net::WeightForm::Ternary:
    case net::WeightForm::NK:
      c.kind = Kind::Ternary, c.bits = 2;
      break;
    case net::WeightForm::LowBit:
      c.kind = Kind::KBit, c.bits = w.lowbit.bits;
      break;
    case net::WeightForm::ColComb: {
      c.kind = Kind::Int8, c.bits = 8;
      int64_t lanes = 1;
      for (const auto& g : w.colcomb.groups) lanes = std::max<int64_t>(lanes, g.size());
      while ((int64_t{1} << c.select_bits) < lanes) ++c.select_bits;
      break;
    }
    case net::WeightForm::Dense8:
      break;
  }
  return c;
}

const array::TileResult& SystolicArray::run(const array::Tile& t, bool accumulate, int64_t nonzeros,
                                            const CellWeights& cells) {
  const uint64_t acts = static_cast<uint64_t>(t.vectors * t.reduction * t.lanes);
  const uint64_t sums = static_cast<uint64_t>(t.vectors * t.outputs);
  stream_access(ibuf, tlm::TLM_READ_COMMAND, 0, acts * act_bytes_, ibuf_size_, scratch_, name());
  if (accumulate)
    stream_access(obuf, tlm::TLM_READ_COMMAND, 0, sums * acc_bytes_, obuf_size_, scratch_, name());
  stream_access(obuf, tlm::TLM_WRITE_COMMAND, 0, sums * acc_bytes_, obuf_size_, scratch_, name());
  array::TileResult& r = result_;
  model_->run(t, r);
  tiles_ += 1;
  load_cycles_ += static_cast<uint64_t>(r.timing.load_end - r.timing.load_start);
  compute_cycles_ += static_cast<uint64_t>(r.timing.compute_end - r.timing.compute_start);
  mapped_cell_cycles_ += static_cast<uint64_t>(array::mapped_cell_cycles(shape_, t));
  nonzero_macs_ += static_cast<uint64_t>(nonzeros * t.vectors);
  count_macs(static_cast<uint64_t>(nonzeros * t.vectors), cells);
  const array::TileEvents e = mapping_.events(shape_, t);
  weight_shift_bits_ +=
      static_cast<uint64_t>(e.weight_shift_hops * (cells.bits + cells.select_bits));
  activation_shift_bits_ += static_cast<uint64_t>(e.activation_shift_hops * shape_.act_bits);
  accumulator_updates_ += static_cast<uint64_t>(e.accumulator_updates);
  activations_read_ += acts;
  if (accumulate) psums_read_ += sums;
  psums_written_ += sums;
  return r;
}

// A bit-serial cell prices each activation bit it takes; a bit-parallel one each whole MAC.
void SystolicArray::count_macs(uint64_t macs, const CellWeights& cells) {
  const bool serial = shape_.cell == array::Cell::BitSerial;
  const uint64_t units = serial ? macs * static_cast<uint64_t>(shape_.act_bits) : macs;
  switch (cells.kind) {
    case CellWeights::Kind::Ternary:
      (serial ? bit_steps_ternary_ : macs_ternary_) += units;
      break;
    case CellWeights::Kind::Int8:
      (serial ? bit_steps_int8_ : macs_int8_) += units;
      break;
    case CellWeights::Kind::KBit:
      (serial ? weight_bit_steps_kbit_ : weight_macs_kbit_) +=
          units * static_cast<uint64_t>(cells.bits);
      break;
  }
}

array::TileTiming SystolicArray::ideal(const array::Tile& t, array::Pipeline& pipeline) const {
  return mapping_.place(pipeline, shape_, t);
}

}  // namespace trine::models
