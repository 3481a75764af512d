#pragma once
// What to train: the network (--net) and the compression method (--method), parsed and
// validated without LibTorch so that the CLI and tests can check them cheaply.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "sim/net/network.hpp"

namespace trine::train {

enum class LayerOp { Dense, Conv, MaxPool, AvgPool, Flatten, Add, Concat, GlobalAvgPool, Shift };

struct LayerSpec {
  LayerOp op = LayerOp::Dense;
  std::string name;
  // The layers whose outputs it takes, by name ("input": the image); empty: the previous one.
  // Resolved into `from` (indices, -1 for the image).
  std::vector<std::string> inputs;
  std::vector<int> from;
  int64_t out = 0;  // neurons or output channels (compute layers)
  int64_t kernel = 1, stride = 1, pad = 0;
  int64_t groups = 1;  // convolutions: groups of channels (depthwise: groups = in channels)
  bool bn = false;     // convolutions: batch norm while training, folded into the weights after
  bool relu = true;    // compute layers and add; the last compute layer has none
  bool signed_out = false;  // resolved: its output is signed (no relu on the way)
  // Resolved shapes (channels x height x width) of the layer's input and output.
  int64_t in_c = 0, in_h = 0, in_w = 0, out_c = 0, out_h = 0, out_w = 0;
  bool is_compute() const { return op == LayerOp::Dense || op == LayerOp::Conv; }
  int64_t rows() const { return out_c; }  // weight matrix: output channels
  int64_t cols() const {
    return op == LayerOp::Dense ? in_c * in_h * in_w : in_c / groups * kernel * kernel;
  }
};

struct ImageShape {
  int64_t channels = 1, height = 28, width = 28, classes = 10;
};

struct NetSpec {
  std::string text;  // as the user gave it
  std::string name;  // e.g. "mlp-784-512-512-10", "lenet5"
  ImageShape input;
  std::vector<LayerSpec> layers;
};

// "mlp:784-512-512-10" (the first size must be the image size, the last the class count),
// "lenet5" (conv 6@5x5 pad 2, maxpool 2, conv 16@5x5, maxpool 2, dense 120, 84, classes;
// shapes follow the image size), a family with parameters ("resnet20:width=16,input=3x32x32":
// families(), docs/training.md), or a YAML file (docs/training.md). A family's `input` sets
// the network's input shape (default: the dataset's); images are fitted to it. Throws
// InputError.
NetSpec parse_net(const std::string& spec, const ImageShape& input);

// Layer i of `spec` as a network layer, without what training (or trine net) decides: weights,
// biases, requantization, an add's scales (one identity scale per input). Its name, inputs
// (none when it takes the previous layer), kind, geometry, relu and 8-bit outputs.
net::Layer layer_shell(const NetSpec& spec, size_t i);

// Kung et al.'s shift (Wu et al.'s pattern): channel c moves by ((c % 9) / 3 - 1, c % 9 % 3 -
// 1), the nine 3x3 directions in turn; out(c, y, x) = in(c, y + dy, x + dx), zero outside.
std::pair<int, int> shift_offset(int64_t channel);

// The built-in families: name, default width and what they are, for --net and help.
struct FamilyDecl {
  const char* name;
  int64_t width;      // base channel count
  ImageShape native;  // the input and classes it was designed for (trine net's default)
  const char* summary;
};
const std::vector<FamilyDecl>& families();

namespace detail {
// Fills in names, inputs and shapes and checks them (`where` names the spec in errors).
void resolve(NetSpec& n, const std::string& where);
// A family's network (families.cpp); nullopt-like: `name` empty when `spec` is no family.
NetSpec family(const std::string& spec, const ImageShape& dataset);
bool is_family(const std::string& spec);
}  // namespace detail

// A method's parameters, declared once: the parser, --method help and the .tnet metadata use
// the same table.
struct ParamDecl {
  const char* name;
  double value;  // default
  double lo, hi;
  bool integer;
  const char* description;
  // It shapes the weights themselves (a form's structure, sparsity), not how training gets
  // there: what `trine net` draws random weights with; it refuses the others.
  bool shapes_weights = false;
  // A named choice: the value is the index of the name given (`grouping=merge`); text and
  // help show the name.
  std::vector<std::string> choices = {};
};

struct MethodDecl {
  const char* name;
  const char* summary;
  std::vector<ParamDecl> params;
  int positional;  // how many leading params may be given without names ("nk:8,2")
};

const std::vector<MethodDecl>& method_decls();

struct MethodSpec {
  std::string name;
  std::vector<std::pair<std::string, double>> params;  // every declared param, resolved
  std::vector<std::string> given;                      // the ones the text named, in order
  double get(const std::string& key) const;
  int64_t get_int(const std::string& key) const { return static_cast<int64_t>(get(key)); }
  std::string text() const;                         // canonical "nk:n=8,k=2"
  std::string value(const std::string& key) const;  // as text writes it ("merge", "0.5")
};

// "dense8", "ternary", "ternary:r=0.7,lambda=2e-6", "nk:8,2", "colcomb:alpha=8,gamma=0.5",
// "lowbit:bits=3,block=8,keep=0.125". Unknown methods or keys, and values out of range, are
// InputErrors that list what is allowed.
MethodSpec parse_method(const std::string& text);
std::string methods_help();

}  // namespace trine::train
