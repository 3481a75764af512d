#pragma once
// The weight decoder: reads a tile's encoded weights from the weight buffer and turns them
// into the int8 weights (and column-combining selects) that the array's shift chain loads.
// Each of its `lanes` handles one unit of the form per cycle: a 64-bit word of dense int8, a
// run-length entry of sparse ternary, an (N,k) code looked up in the decoder table, a
// (weight, select) pair, or a row of a kept low-bit block (dropped blocks cost nothing, the
// bitmap says where they are). Its cycles per tile can exceed the array's load time: then it
// throttles weight loading, and `throttle_cycles` says by how much.
#include <tlm_utils/simple_initiator_socket.h>
#include <systemc>
#include <tlm>

#include "models/buffer/access.hpp"
#include "models/common/stats_walker.hpp"
#include "sim/compile/schedule.hpp"
#include "sim/config/design_point.hpp"
#include "sim/util/divider.hpp"

namespace trine::models {

class WeightDecoder : public sc_core::sc_module, public HasStats {
 public:
  tlm_utils::simple_initiator_socket<WeightDecoder> wbuf;

  WeightDecoder(sc_core::sc_module_name name, const config::DecoderConfig& cfg,
                const sc_core::sc_time& clock_period);
  const stats::Group& statistics() const override { return stats_; }

  // Reads the tile's bytes at `addr` of the weight buffer and decodes them: the cycles it takes
  // (the slower of the lanes and the buffer reads). `chain_cycles` is the rest of the load (the
  // dataflow's shift chain): decoding longer than it throttles the array.
  int64_t decode(const compile::TilePlan& tile, net::WeightForm form, uint64_t addr,
                 int64_t chain_cycles);

 private:
  config::DecoderConfig cfg_;
  sc_core::sc_time period_;
  util::Divider over_period_, over_lanes_;  // (a divide per tile otherwise, twice)
  bool table_;                              // decoder.kind: table (else logic: no table lookups)
  AccessScratch scratch_;
  stats::Group stats_;
  stats::Counter tiles_, units_, lookups_, busy_cycles_, throttle_cycles_, bytes_read_;

 public:
  uint64_t throttle_cycles() const { return throttle_cycles_.value(); }
};

}  // namespace trine::models
