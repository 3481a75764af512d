#pragma once
// Post-training quantization of an imported float network into trine's integer network
// (docs/import.md, "Quantization"): weights to 8 bits per output channel, activations to
// act_bits with a scale per tensor chosen from calibration ranges, biases and requantization
// derived as the reference model's arithmetic needs.
#include <string>
#include <vector>

#include "sim/import/compress.hpp"
#include "sim/import/float_forward.hpp"
#include "sim/import/float_net.hpp"
#include "sim/net/network.hpp"

namespace trine::import {

// How a tensor's range is read from its calibration outputs: the largest magnitude, or the
// magnitude below which `percentile` percent of the nonzero outputs lie.
struct Calibration {
  enum class Rule { MinMax, Percentile };
  Rule rule = Rule::Percentile;
  double percentile = 99.99;
  std::string text() const;  // "minmax", "percentile:99.99"
};
// Parses "minmax" or "percentile[:P]" (P in [50, 100]); throws InputError naming `option`.
Calibration parse_calibration(const std::string& text, const std::string& option);

struct QuantOptions {
  Calibration calibration;
  int act_bits = 8;     // activations between layers
  int logit_bits = 16;  // the last layer's outputs, when it is a compute layer without relu
  net::Meta layer_meta = {{"method", "dense8"}};  // each compute layer's method metadata
};

// What quantization chose for one layer's output.
struct LayerScale {
  double range = 0;  // the real magnitude that maps to the top of the output's range
  double scale = 0;  // the real value of one output unit
  bool is_signed = false;
  int bits = 0;
};

// A quantized (QDQ) model's scale for one tensor beside the one trine uses.
struct ScaleNote {
  std::string tensor;  // a layer's name, or "input"
  double model_scale = 0, zero_point = 0;
  bool model_signed = false;  // int8 (else uint8)
  double scale = 0;           // trine's
  std::string how;            // "kept", or why it differs
};

struct Quantized {
  net::Network net;
  std::vector<LayerScale> scales;  // per layer
  std::vector<ScaleNote> notes;    // per tensor a QDQ model quantizes
};

// Quantizes `n` (its normalization folded: fold_normalization) with its compute layers'
// weights as `weights` projects them (compress.hpp: project_all) and the activation ranges of
// `calib` (run_float with ranges, on the network those weights make: with_projected). Throws
// InputError naming `where` and the layer when the network cannot be expressed in trine's
// arithmetic (a compute layer reading values that can be negative, a concat of signed and
// unsigned tensors).
Quantized quantize(const FloatNet& n, const std::vector<Projection>& weights, const FloatRun& calib,
                   const QuantOptions& options, const std::string& where);

// Per layer, the signal-to-quantization-noise ratio in dB of the quantized network's outputs
// (dequantized by their scales) against the float model's, over the first `count` images of
// `d`: 10 log10(sum f^2 / sum (f - q s)^2), infinite when they are equal.
std::vector<double> sqnr(const FloatNet& n, const Quantized& q, const data::Dataset& d,
                         int64_t count);

// `n` with its normalization folded into the layers that read the image (their padding then
// pads with pixel 0, not with the normalized 0: docs/import.md). Throws InputError naming
// `where` when a layer that reads the normalized image does not compute.
FloatNet fold_normalization(const FloatNet& n, const std::string& where);

}  // namespace trine::import
