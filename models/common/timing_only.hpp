#pragma once
// A generic-payload extension marking a transaction whose bytes mean nothing: the
// accelerator's values flow through its datapath model, while its DMA and address generators
// move data through DRAM and the buffers for the time and the counts. A target that keeps
// bytes leaves them as they are and returns none; timing and statistics are unchanged.
#include <tlm>

namespace trine::models {

struct TimingOnly : tlm::tlm_extension<TimingOnly> {
  tlm::tlm_extension_base* clone() const override { return new TimingOnly; }
  void copy_from(const tlm::tlm_extension_base&) override {}
};

}  // namespace trine::models
