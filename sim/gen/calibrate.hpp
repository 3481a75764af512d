#pragma once
// Requantization from activations: the constants that make every layer's outputs use their
// range on a few inputs (docs/net.md, "Calibration"), and the measure of how well a network's
// layers use it (`trine inspect --activations`).
#include <cstdint>
#include <string>
#include <vector>

#include "sim/data/idx.hpp"
#include "sim/net/network.hpp"

namespace trine::gen {

// One layer's outputs over a set of images.
struct LayerActivity {
  int64_t values = 0;  // outputs counted (all images)
  int64_t zeros = 0;   // equal to 0
  // Clipped by the requantization: past the top of the output range (or the bottom, when
  // signed; below zero with a relu is the relu's). 0 for layers that do not requantize.
  int64_t saturated = 0;
  bool requantized = false;  // a compute layer or an add
  bool calibrated = false;   // calibrate() set its constants
  double zero_fraction() const { return values ? static_cast<double>(zeros) / values : 0; }
  double saturated_fraction() const { return values ? static_cast<double>(saturated) / values : 0; }
};

// The quantile of the accumulators that calibration maps to the top of the output range.
constexpr double kCalibrationQuantile = 0.999;

// Sets, layer by layer in order, each requantized layer's bias, multipliers and shift;
// an add's inputs share one scale) so that the kCalibrationQuantile quantile of its positive
// accumulators (relu) or of their magnitudes (signed outputs) lands on the largest output
// value, each layer seeing its inputs as the calibrated layers before it produce them. Returns
// every layer's activity on `images` (`threads` images at once, 0: all cores; the result does
// not depend on it). The network must read `images`' shape.
std::vector<LayerActivity> calibrate(net::Network& n, const data::Dataset& images, int threads);

// The same measure without changing anything.
std::vector<LayerActivity> activity(const net::Network& n, const data::Dataset& images,
                                    int threads);

}  // namespace trine::gen
