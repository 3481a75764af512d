#pragma once
// The systolic array as a module: the model chosen by `array.model` (fast or cycle, one
// contract: array.hpp) for its dataflow and cell, with the buffer traffic of each tile (activations
// read from the input buffer, partial sums read from and written to the output buffer) and its
// statistics.
#include <tlm_utils/simple_initiator_socket.h>
#include <systemc>
#include <tlm>

#include <memory>
#include <vector>

#include "models/array/array.hpp"
#include "models/buffer/access.hpp"
#include "models/common/stats_walker.hpp"
#include "sim/config/design_point.hpp"
#include "sim/net/weights.hpp"

namespace trine::models {

// What the cells hold for one layer, for the energy of its bit-steps and weight loading.
struct CellWeights {
  enum class Kind { Ternary, KBit, Int8 } kind = Kind::Int8;
  int bits = 8;         // weight bits a cell stores (ternary: sign and nonzero)
  int select_bits = 0;  // lane index bits (column combining)
  static CellWeights of(const net::Weights& w);
};

class SystolicArray : public sc_core::sc_module, public HasStats {
 public:
  tlm_utils::simple_initiator_socket<SystolicArray> ibuf, obuf;

  SystolicArray(sc_core::sc_module_name name, const config::DesignPoint& dp);
  const stats::Group& statistics() const override { return stats_; }
  const array::Shape& shape() const { return shape_; }
  const array::Mapping& mapping() const { return mapping_; }

  // Runs one tile. `accumulate`: partial sums of earlier reduction tiles are read back first.
  // The result stays valid until the next call.
  const array::TileResult& run(const array::Tile& t, bool accumulate, int64_t nonzeros,
                               const CellWeights& cells);
  // The timing `run` would give to `t` after the tiles `pipeline` has seen.
  array::TileTiming ideal(const array::Tile& t, array::Pipeline& pipeline) const;
  const array::Pipeline& pipeline() const { return model_->pipeline(); }
  // Dumps the array's signals into `vcd` as the model steps (false: the model does not step).
  bool trace_signals(array::Vcd& vcd) { return model_->trace_signals(&vcd); }

 private:
  array::Shape shape_;
  const array::Mapping& mapping_;
  std::unique_ptr<array::Model> model_;
  uint64_t act_bytes_, acc_bytes_, ibuf_size_, obuf_size_;
  AccessScratch scratch_;
  array::TileResult result_;
  stats::Group stats_;
  stats::Counter tiles_, load_cycles_, compute_cycles_, mapped_cell_cycles_, nonzero_macs_,
      activations_read_, psums_read_, psums_written_;
  stats::Counter bit_steps_ternary_, bit_steps_int8_, weight_bit_steps_kbit_, macs_ternary_,
      macs_int8_, weight_macs_kbit_, weight_shift_bits_, activation_shift_bits_,
      accumulator_updates_;
  void count_macs(uint64_t macs, const CellWeights& cells);
};

}  // namespace trine::models
