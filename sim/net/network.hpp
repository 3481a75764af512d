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

// Add, Concat, GlobalAvgPool and Shift came with format 1.1 (docs/tnet.md): a file that uses
// one, names a layer's inputs or groups a convolution is written as 1.1; Input came with 1.2;
// any other file is written as 1.0.
enum class LayerKind {
  Dense,
  Conv2d,
  MaxPool,
  AvgPool,
  Relu,
  Flatten,
  Add,
  Concat,
  GlobalAvgPool,
  Shift,
  // A further input of the network: a tensor the host writes to DRAM before each inference,
  // the image's activations repeated in order over its shape (a topology file's layers each
  // read one: docs/net.md). It takes no inputs.
  Input
};
const char* kind_name(LayerKind k);
// A shift's largest offset along an axis.
constexpr int kMaxShiftOffset = 64;
// Every kind, in enum order: one list for the reader, the writer and messages.
const std::vector<LayerKind>& all_kinds();

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
  std::string name;  // unique; "input" names the network's input and no layer
  LayerKind kind = LayerKind::Dense;
  // The layers (or "input") whose outputs this one takes; empty: the previous layer (the
  // network's input for the first). Add and Concat take two or more, every other kind one.
  std::vector<std::string> inputs;
  // Add: per input, its rescaling to the sum's scale, (x * multiplier + round) >> shift
  // (docs/arithmetic.md); the sum is saturated to out_bits (unsigned with relu).
  std::vector<Requant> scales;
  // Shift: per channel, the offset (dy, dx) it moves by: out(c, y, x) = in(c, y + dy, x + dx),
  // zero outside (Kung et al.'s shift, no multiplications).
  std::vector<std::pair<int32_t, int32_t>> offsets;
  // Dense: in_channels = input features, out_channels = neurons, kernel 1x1.
  // Conv2d: weights are out_channels x (in_channels / groups * kernel_h * kernel_w),
  // channel-major; output channel o reads the input channels of its group, o / (out / groups)
  // (groups = in_channels: depthwise).
  int64_t in_channels = 0, out_channels = 0, groups = 1;
  int64_t kernel_h = 1, kernel_w = 1, stride_h = 1, stride_w = 1, pad_h = 0, pad_w = 0;
  int64_t height = 0, width = 0;  // Input: its tensor is out_channels x height x width
  Weights weights;
  std::vector<int32_t> bias;  // empty or out_channels values, in accumulator units
  Requant requant;
  bool relu = false;  // fused: output unsigned out_bits, else signed out_bits
  int out_bits = 8;
  int acc_bits = 32;
  Meta method;  // method name and parameters, as the trainer wrote them

  bool is_compute() const { return kind == LayerKind::Dense || kind == LayerKind::Conv2d; }
  bool takes_many() const { return kind == LayerKind::Add || kind == LayerKind::Concat; }
  // Uses what format 1.1 or 1.2 added (inputs, a later kind, groups): makes a network a graph.
  bool is_graph_layer() const {
    return !inputs.empty() || takes_many() || kind == LayerKind::GlobalAvgPool ||
           kind == LayerKind::Shift || kind == LayerKind::Input || groups != 1;
  }
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

// True when every layer takes the previous one's output and is of a format 1.0 kind: what the
// accelerator runs today (graphs run on the reference model).
bool is_chain(const Network& n);
// Input layers' values: the image's activations `image` (the network's input), repeated in
// order over `out` (out[i] = image[i mod image.size()]), one image.
void repeat_image(const std::vector<int32_t>& image, std::vector<int32_t>& out);
// Each layer's inputs as indices into the layers, -1 for the network's input (none for an
// Input layer, which must name none). Throws InputError
// naming `where` for a name that is not unique or is "input", an input that names no layer, a
// cycle, an input listed after the layer that takes it, or a wrong number of inputs.
std::vector<std::vector<int>> input_indices(const Network& n, const std::string& where);

// Bits of the widest multiplier the hardware must hold: of the compute layers'
// requantizations, and of the add layers' rescalings (magnitude bits, plus a sign bit when a
// multiplier is negative; 1 when there is none). The cost model prices the multipliers at
// these widths: a unit is built for the widest value it takes.
struct MultiplierWidths {
  int requant = 1;
  int rescale = 1;
};
MultiplierWidths multiplier_widths(const Network& n);

// Output type of every layer, checking that the network is well formed (shapes chain, compute
// layers take unsigned activations, weights match their layer, inputs of an add agree in
// shape, of a concat in height, width and type, ...). Throws InputError naming
// `where` and the layer.
std::vector<TensorType> infer_types(const Network& n, const std::string& where);
// The same checks without the final one (outputs == classes), for networks being built.
std::vector<TensorType> layer_types(const Network& n, const std::string& where);
TensorType input_type(const InputSpec& in);

}  // namespace trine::net
