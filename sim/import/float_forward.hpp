#pragma once
// The imported model evaluated in float, as its framework computes it (normalization
// included): its predictions, for the accuracy `trine import` reports beside the quantized
// network's, and the range of every layer's outputs, which calibration reads.
#include <cstdint>
#include <vector>

#include "sim/data/idx.hpp"
#include "sim/import/float_net.hpp"

namespace trine::import {

// The magnitudes of a layer's nonzero outputs over a set of images: their maximum, and a
// histogram of kBinsPerOctave equal bins to an octave, 2^-32 to 2^32, for quantiles.
struct Range {
  static constexpr int kBinsPerOctave = 32, kOctaves = 64;
  double max = 0;
  int64_t values = 0;      // nonzero outputs counted
  int64_t non_finite = 0;  // outputs that overflowed float (or are NaN): not counted
  std::vector<int64_t> bins = std::vector<int64_t>(kBinsPerOctave * kOctaves, 0);
  void add(double magnitude);
  void merge(const Range& o);
  // The magnitude below which a fraction q of the values lie: the upper edge of the bin that
  // holds the q-quantile (at most 3.2 % above it), never above max. 0 when empty.
  double quantile(double q) const;
};

struct FloatRun {
  std::vector<int64_t> predictions;  // per image: the index of the largest output
  std::vector<Range> ranges;         // per layer (with `ranges`)
};

// Runs `n` on every image of `d` on `threads` threads (0: all cores); the result does not
// depend on the thread count.
FloatRun run_float(const FloatNet& n, const data::Dataset& d, int threads, bool ranges);

// One image's outputs of every layer (tests).
std::vector<std::vector<float>> forward_all(const FloatNet& n, const uint8_t* pixels);

}  // namespace trine::import
