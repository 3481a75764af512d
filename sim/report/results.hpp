#pragma once
// What one simulated run produced, per batch and per layer: the plain results that the
// controller fills in and that reports read (no SystemC here).
#include <cstdint>
#include <string>
#include <vector>

#include "sim/stats/stats.hpp"

namespace trine::report {

struct LayerResult {
  std::string name, kind, form;
  std::string unit;            // what runs it: "array", "vector", or "" (addressing only)
  int64_t start = 0, end = 0;  // accelerator cycles
  int64_t ideal = 0;           // cycles with every DRAM transfer instantaneous
  int64_t tiles = 0, skipped_tiles = 0;
  int64_t macs = 0, nonzero_macs = 0, mapped_cell_cycles = 0;
  uint64_t dram_read = 0, dram_written = 0;
  uint64_t wbuf_bytes = 0, ibuf_bytes = 0, obuf_bytes = 0;
  uint64_t decoder_throttle = 0;
  // Input banding (compile::LayerPlan::bands): bands per batch, and the bytes of input rows
  // read more than once (in dram_read).
  int64_t bands = 0;
  uint64_t halo_bytes = 0;
  // Every counter's events in [start, end) (first batch only; empty afterwards): what the
  // cost model prices per layer.
  std::vector<stats::Record> events;
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
  std::vector<LayerResult> layers;  // per layer; the accelerator keeps them for its first batch
  int64_t start = 0, end = 0;
  std::vector<std::vector<int32_t>> outputs;  // the last layer's, per image
  std::vector<int64_t> predictions;           // per image
  bool mismatch = false;
  Mismatch first_mismatch;
};

}  // namespace trine::report
