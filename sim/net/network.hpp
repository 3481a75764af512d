#pragma once
// A compressed network as trine executes it: integer layers with their weight forms and the
// exact integer arithmetic that the reference model and the simulated hardware both follow
// (docs/arithmetic.md).
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "sim/net/weights.hpp"

namespace trine::net {

enum class LayerKind { Dense, Conv2d, MaxPool, AvgPool, Relu, Flatten };
const char* kind_name(LayerKind k);

// Free-form key/value metadata (trainer parameters, provenance), kept in order.
using Meta = std::vector<std::pair<std::string, std::string>>;

// Shape and integer type of an activation tensor (channels x height x width).
struct TensorType {
  int64_t channels = 0, height = 0, width = 0;
  bool is_signed = false;
  int bits = 0;
  int64_t size() const { return channels * height * width; }
  bool operator==(const TensorType& o) const {
    return channels == o.channels && height == o.height && width == o.width &&
           is_signed == o.is_signed && bits == o.bits;
  }
};

// acc' = clamp(acc, acc_bits); y = clamp((acc' * m + round) >> shift, out range), where
// m is the layer's multiplier or the channel's, and round = 2^(shift-1) (0 if shift = 0).
struct Requant {
  int64_t shift = 0;
  int64_t multiplier = 1;            // used when multipliers is empty
  std::vector<int32_t> multipliers;  // per output channel, optional
  int64_t multiplier_for(int64_t channel) const {
    return multipliers.empty() ? multiplier : multipliers[static_cast<size_t>(channel)];
  }
  bool operator==(const Requant& o) const {
    return shift == o.shift && multiplier == o.multiplier && multipliers == o.multipliers;
  }
};

struct Layer {
  std::string name;
  LayerKind kind = LayerKind::Dense;
  // Dense: in_channels = input features, out_channels = neurons, kernel 1x1.
  // Conv2d: weights are out_channels x (in_channels * kernel_h * kernel_w), channel-major.
  int64_t in_channels = 0, out_channels = 0;
  int64_t kernel_h = 1, kernel_w = 1, stride_h = 1, stride_w = 1, pad_h = 0, pad_w = 0;
  Weights weights;
  std::vector<int32_t> bias;  // empty or out_channels values, in accumulator units
  Requant requant;
  bool relu = false;  // fused: output unsigned out_bits, else signed out_bits
  int out_bits = 8;
  int acc_bits = 32;
  Meta method;  // method name and parameters, as the trainer wrote them

  bool is_compute() const { return kind == LayerKind::Dense || kind == LayerKind::Conv2d; }
  bool operator==(const Layer& o) const;
};

// How image pixels (uint8) become the first activation: a = pixel >> shift, unsigned `bits`.
struct InputSpec {
  int64_t channels = 1, height = 0, width = 0;
  int bits = 8;
  int shift = 0;
};

struct Network {
  std::string name;
  InputSpec input;
  int64_t classes = 0;
  std::vector<Layer> layers;
  Meta meta;
  bool operator==(const Network& o) const;
};

// Output type of every layer, checking that the network is well formed (shapes chain, compute
// layers take unsigned activations, weights match their layer, ...). Throws InputError naming
// `where` and the layer.
std::vector<TensorType> infer_types(const Network& n, const std::string& where);
// The same checks without the final one (outputs == classes), for networks being built.
std::vector<TensorType> layer_types(const Network& n, const std::string& where);
TensorType input_type(const InputSpec& in);

}  // namespace trine::net
