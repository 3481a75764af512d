#pragma once
// A DRAM device resolved for simulation: the design point's organisation and timing (device
// clock cycles), and the figures derived from them once.
#include <cstdint>

#include "sim/config/design_point.hpp"

namespace trine::dram {

struct DramSpec {
  config::DramOrg org;
  config::DramTiming t;
  config::DramPower power;
  int64_t burst_cycles = 0;    // data-bus cycles of one burst (BL/2: two beats per clock)
  int64_t burst_bytes = 0;     // bytes one burst moves on a channel
  int64_t bursts_per_row = 0;  // column commands that one row holds
  int64_t banks_per_rank = 0;
  int64_t banks_per_channel = 0;
  uint64_t capacity = 0;  // bytes, all channels
  double tck_ps = 0;      // device clock period

  explicit DramSpec(const config::DramDevice& d) : org(d.org), t(d.timing), power(d.power) {
    burst_cycles = org.burst_length / 2;
    burst_bytes = org.bus_width / 8 * org.burst_length;
    bursts_per_row = org.columns / org.burst_length;
    banks_per_rank = org.bank_groups * org.banks_per_group;
    banks_per_channel = banks_per_rank * org.ranks;
    capacity = static_cast<uint64_t>(org.capacity_bytes());
    tck_ps = 1e12 / static_cast<double>(t.clock_hz);
  }
  // Peak data rate of all channels: one burst per burst_cycles on every channel.
  double peak_bytes_per_second() const {
    return static_cast<double>(org.channels * burst_bytes) / burst_cycles *
           static_cast<double>(t.clock_hz);
  }
};

}  // namespace trine::dram
