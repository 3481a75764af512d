#include "sim/import/onnx_reader.hpp"

#include <onnx/checker.h>
#include <onnx/onnx_pb.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <deque>
#include <functional>
#include <map>
#include <set>

#include "sim/import/onnx_constants.hpp"

#include "sim/util/error.hpp"
#include "sim/util/file.hpp"
#include "sim/util/limits.hpp"

namespace trine::import {

std::string shape_text(const Shape& s) {
  return std::to_string(s.channels) + "x" + std::to_string(s.height) + "x" +
         std::to_string(s.width);
}

const std::vector<std::string>& supported_operators() {
  static const std::vector<std::string> ops = {"Conv",    "Gemm",        "MatMul",
                                               "Relu",    "Clip",        "BatchNormalization",
                                               "MaxPool", "AveragePool", "GlobalAveragePool",
                                               "Add",     "Concat",      "Flatten",
                                               "Reshape", "Pad",         "Identity",
                                               "Dropout", "Softmax",     "LogSoftmax"};
  return ops;
}

namespace {

// A graph of more nodes than this is refused before any is read (ResNet-152 has ~500).
constexpr int kMaxNodes = 100000;

using onnx::NodeProto;
using onnx::TensorProto;

// What a tensor name stands for while the graph is read.
struct Value {
  int layer = -1;  // the layer whose output it is, -1 for the image
  Shape shape;
  // Zero padding a Pad node added, which the Conv or AveragePool that reads it takes over
  // (PyTorch exports AvgPool2d's padding so); `shape` is without it.
  int64_t pad_h = 0, pad_w = 0;
  bool padded() const { return pad_h || pad_w; }
  // A QuantizeLinear's integers (scale > 0), read only by a Cast or a DequantizeLinear.
  FloatLayer::Fixed quant;
};

// A constant a DequantizeLinear made from integers: its codes (q - zero point) and scales.
struct Codes {
  std::vector<int64_t> dims;
  std::vector<int32_t> codes;
  std::vector<double> scale;  // one, or one per index along `axis`
  int64_t axis = 0;
};

class Reader {
 public:
  Reader(const onnx::ModelProto& m, std::string file) : model_(m), file_(std::move(file)) {}
  FloatNet run();

 private:
  using Handler = void (Reader::*)(const NodeProto&);
  static const std::map<std::string, Handler>& handlers();
  [[noreturn]] void fail(const std::string& msg) const { throw InputError(file_, msg); }
  [[noreturn]] void fail(const NodeProto& n, const std::string& msg) const {
    fail("node '" + n.name() + "' (" + n.op_type() + "): " + msg);
  }
  void check_opset();
  void check_operators() const;
  void collect_constants();
  void read_input();
  void count_consumers();
  void read_output();
  void check_size() const;

  // Inputs of a node.
  bool is_constant(const std::string& name) const { return constants_.count(name) != 0; }
  // Input k's value; a padded one only where `padded_ok` (the readers that take the padding).
  const Value& value(const NodeProto& n, int k, bool padded_ok = false) const;
  std::vector<float> floats(const NodeProto& n, int k, std::vector<int64_t>* dims = nullptr) const;
  std::vector<int64_t> ints(const NodeProto& n, int k) const;
  // Attributes.
  const onnx::AttributeProto* attribute(const NodeProto& n, const std::string& name) const;
  int64_t int_attr(const NodeProto& n, const std::string& name, int64_t fallback) const;
  float float_attr(const NodeProto& n, const std::string& name, float fallback) const;
  std::string string_attr(const NodeProto& n, const std::string& name) const;
  std::vector<int64_t> ints_attr(const NodeProto& n, const std::string& name,
                                 std::vector<int64_t> fallback) const;
  void window(const NodeProto& n, const Shape& in, int64_t kh, int64_t kw, FloatLayer& l) const;

  // Results.
  FloatLayer& add_layer(const NodeProto& n, net::LayerKind kind, std::vector<int> inputs,
                        const Shape& out);
  void alias(const NodeProto& n, int k);  // the node's output is its k-th input
  FloatLayer* sole_producer(const NodeProto& n);

  void conv(const NodeProto& n);
  void gemm(const NodeProto& n);
  void matmul(const NodeProto& n);
  void relu(const NodeProto& n);
  void clip(const NodeProto& n);
  void batch_norm(const NodeProto& n);
  void pool(const NodeProto& n);
  void global_pool(const NodeProto& n);
  void add(const NodeProto& n);
  void concat(const NodeProto& n);
  void flatten(const NodeProto& n);
  void reshape(const NodeProto& n);
  void identity(const NodeProto& n);
  void pad(const NodeProto& n);
  void quantize_linear(const NodeProto& n);
  void dequantize_linear(const NodeProto& n);
  void cast(const NodeProto& n);
  void constant_of_shape(const NodeProto& n);
  bool fold_constant(const NodeProto& n);
  FloatLayer::Fixed activation_quant(const NodeProto& n) const;
  // The codes of a weight, per output channel: fills l.codes (rows x cols, the layout of
  // l.weights, element (o, c) at `at(o, c)` of the constant) when the constant has them.
  void take_codes(const NodeProto& n, int k, int64_t out_axis,
                  const std::function<int64_t(int64_t, int64_t)>& at, FloatLayer& l) const;
  void softmax(const NodeProto& n);
  void fuse_relu(const NodeProto& n, float cap);
  void fold_bias(const NodeProto& n, FloatLayer& l, int k);

  const onnx::ModelProto& model_;
  std::string file_;
  FloatNet net_;
  std::map<std::string, const TensorProto*> constants_;
  std::map<std::string, Value> values_;
  std::map<std::string, int> consumers_;  // nodes (and graph outputs) reading each tensor
  std::string image_;
  std::set<std::string> names_;     // of the layers
  std::deque<TensorProto> folded_;  // constants computed from constants
  std::map<std::string, Codes> codes_;
};

const std::map<std::string, Reader::Handler>& Reader::handlers() {
  static const std::map<std::string, Handler> table = {
      {"Conv", &Reader::conv},
      {"Gemm", &Reader::gemm},
      {"MatMul", &Reader::matmul},
      {"Relu", &Reader::relu},
      {"Clip", &Reader::clip},
      {"BatchNormalization", &Reader::batch_norm},
      {"MaxPool", &Reader::pool},
      {"AveragePool", &Reader::pool},
      {"GlobalAveragePool", &Reader::global_pool},
      {"Add", &Reader::add},
      {"Concat", &Reader::concat},
      {"Flatten", &Reader::flatten},
      {"Reshape", &Reader::reshape},
      {"Pad", &Reader::pad},
      {"QuantizeLinear", &Reader::quantize_linear},
      {"DequantizeLinear", &Reader::dequantize_linear},
      {"Cast", &Reader::cast},
      {"ConstantOfShape", &Reader::constant_of_shape},
      {"Identity", &Reader::identity},
      {"Dropout", &Reader::identity},
      {"Softmax", &Reader::softmax},
      {"LogSoftmax", &Reader::softmax}};
  return table;
}

FloatNet Reader::run() {
  const onnx::GraphProto& g = model_.graph();
  if (g.node_size() > kMaxNodes)
    fail("the graph has " + std::to_string(g.node_size()) + " nodes; trine imports at most " +
         std::to_string(kMaxNodes));
  check_opset();
  check_operators();
  collect_constants();
  read_input();
  count_consumers();
  net_.name = g.name().empty() ? "imported" : g.name();
  net_.nodes = g.node_size();
  for (const NodeProto& n : g.node()) {
    if (n.op_type() == "Constant" || fold_constant(n)) continue;
    (this->*handlers().at(n.op_type()))(n);
  }
  read_output();
  check_size();
  return std::move(net_);
}

// The work of evaluating the model against the limits, summed in doubles (each layer's is
// below 2^60, and there are at most kMaxNodes layers).
void Reader::check_size() const {
  double weights = 0, activations = static_cast<double>(net_.input.size()), macs = 0;
  for (const FloatLayer& l : net_.layers) {
    weights += static_cast<double>(l.weights.size());
    activations += static_cast<double>(l.out.size());
    if (l.is_compute()) macs += static_cast<double>(l.out.size()) * static_cast<double>(l.cols());
  }
  auto refuse = [&](const char* what, double value, int64_t limit) {
    char text[160];
    std::snprintf(text, sizeof text, "the model has %.4g %s; trine imports at most %lld", value,
                  what, static_cast<long long>(limit));
    fail(std::string(text) + " (docs/inputs.md)");
  };
  if (weights > static_cast<double>(limits::kImportedWeights))
    refuse("weights", weights, limits::kImportedWeights);
  if (activations > static_cast<double>(limits::kImportedActivations))
    refuse("activations per image", activations, limits::kImportedActivations);
  if (macs > static_cast<double>(limits::kImportedMacs))
    refuse("multiply-accumulates per image", macs, limits::kImportedMacs);
}

void Reader::check_opset() {
  for (const onnx::OperatorSetIdProto& o : model_.opset_import())
    if (o.domain().empty() || o.domain() == "ai.onnx") net_.opset = static_cast<int>(o.version());
  if (net_.opset < kMinOpset || net_.opset > kMaxOpset)
    fail("opset " + std::to_string(net_.opset) + " of the default domain; trine imports opsets " +
         std::to_string(kMinOpset) + " to " + std::to_string(kMaxOpset) +
         " (re-export with opset_version in that range)");
}

void Reader::check_operators() const {
  std::string unsupported;
  int count = 0;
  for (const NodeProto& n : model_.graph().node()) {
    const bool standard = n.domain().empty() || n.domain() == "ai.onnx";
    if (standard && (n.op_type() == "Constant" || handlers().count(n.op_type()))) continue;
    unsupported += std::string(count++ ? ", " : "") + "'" + n.name() + "' (" +
                   (standard ? "" : n.domain() + ".") + n.op_type() + ")";
  }
  if (!count) return;
  std::string known;
  for (const std::string& op : supported_operators()) known += (known.empty() ? "" : ", ") + op;
  fail(std::to_string(count) + " unsupported node" + (count > 1 ? "s" : "") + ": " + unsupported +
       " (trine imports " + known + "; docs/import.md)");
}

void Reader::collect_constants() {
  for (const TensorProto& t : model_.graph().initializer()) constants_[t.name()] = &t;
  for (const NodeProto& n : model_.graph().node()) {
    if (n.op_type() != "Constant") continue;
    const onnx::AttributeProto* v = attribute(n, "value");
    if (!v || n.output_size() != 1)
      fail(n, "trine reads Constant nodes that hold a tensor ('value')");
    constants_[n.output(0)] = &v->t();
  }
}

void Reader::read_input() {
  std::vector<const onnx::ValueInfoProto*> inputs;
  for (const onnx::ValueInfoProto& v : model_.graph().input())
    if (!is_constant(v.name())) inputs.push_back(&v);
  // A weight given as a graph input is named as such, not as a second image.
  for (const NodeProto& n : model_.graph().node())
    for (int k = 1; k < n.input_size(); ++k)
      for (const onnx::ValueInfoProto* v : inputs)
        if (n.input(k) == v->name() && n.op_type() != "Add" && n.op_type() != "Concat")
          floats(n, k);  // throws: not a constant
  if (inputs.empty())
    fail("the graph has no input besides its weights; trine imports image models");
  if (inputs.size() > 1)
    fail("the graph has " + std::to_string(inputs.size()) +
         " inputs besides its weights; trine imports models of one image input");
  const onnx::ValueInfoProto& in = *inputs.front();
  const auto& type = in.type().tensor_type();
  const auto& dims = type.shape().dim();
  auto fixed = [&](int d) { return dims[d].has_dim_value() && dims[d].dim_value() > 0; };
  if (!in.type().has_tensor_type() || type.elem_type() != TensorProto::FLOAT || dims.size() != 4 ||
      !fixed(1) || !fixed(2) || !fixed(3))
    fail("input '" + in.name() +
         "' is not a float tensor of shape N x C x H x W with C, H and W fixed; trine imports "
         "image models");
  net_.input = {dims[1].dim_value(), dims[2].dim_value(), dims[3].dim_value()};
  if (net_.input.channels > 4 || net_.input.height > 4096 || net_.input.width > 4096)
    fail("input '" + in.name() + "' is " + shape_text(net_.input) +
         "; trine imports images of 1 to 4 channels and at most 4096 pixels a side");
  image_ = in.name();
  Value image;
  image.shape = net_.input;
  values_[image_] = image;
}

void Reader::count_consumers() {
  for (const NodeProto& n : model_.graph().node())
    for (const std::string& in : n.input()) ++consumers_[in];
  for (const onnx::ValueInfoProto& out : model_.graph().output()) ++consumers_[out.name()];
}

void Reader::read_output() {
  const onnx::GraphProto& g = model_.graph();
  if (g.output_size() != 1)
    fail("the graph has " + std::to_string(g.output_size()) +
         " outputs; trine imports models of one output (the class scores)");
  const auto it = values_.find(g.output(0).name());
  if (it == values_.end() || it->second.layer < 0)
    fail("output '" + g.output(0).name() + "' is not computed from the image");
  // Keep only what the output depends on: the output's layer then comes last.
  std::vector<bool> needed(net_.layers.size(), false);
  needed[static_cast<size_t>(it->second.layer)] = true;
  for (size_t i = net_.layers.size(); i-- > 0;)
    if (needed[i])
      for (int k : net_.layers[i].inputs)
        if (k >= 0) needed[static_cast<size_t>(k)] = true;
  std::vector<int> renumber(net_.layers.size(), -1);
  std::vector<FloatLayer> kept;
  for (size_t i = 0; i < net_.layers.size(); ++i) {
    if (!needed[i]) continue;
    renumber[i] = static_cast<int>(kept.size());
    kept.push_back(std::move(net_.layers[i]));
    for (int& k : kept.back().inputs)
      if (k >= 0) k = renumber[static_cast<size_t>(k)];
  }
  net_.layers = std::move(kept);
}

const Value& Reader::value(const NodeProto& n, int k, bool padded_ok) const {
  if (k >= n.input_size() || n.input(k).empty())
    fail(n, "input " + std::to_string(k) + " is missing");
  const auto it = values_.find(n.input(k));
  if (it != values_.end() && it->second.quant.scale > 0 && n.op_type() != "Cast" &&
      n.op_type() != "DequantizeLinear")
    fail(n,
         "reads the integers of a QuantizeLinear; trine reads them through a "
         "DequantizeLinear (the QDQ form)");
  if (it != values_.end() && it->second.padded() && !padded_ok)
    fail(n,
         "reads the output of a Pad; trine takes a Pad's zeros into the Conv or AveragePool "
         "that reads it");
  if (it != values_.end()) return it->second;
  if (is_constant(n.input(k)))
    fail(n, "input '" + n.input(k) +
                "' is a constant; trine imports constants only as weights, biases and "
                "parameters");
  fail(n, "input '" + n.input(k) + "' is not computed from the image by an operator trine reads");
}

std::vector<float> Reader::floats(const NodeProto& n, int k, std::vector<int64_t>* dims) const {
  if (k >= n.input_size() || n.input(k).empty())
    fail(n, "input " + std::to_string(k) + " is missing");
  const std::string& name = n.input(k);
  const auto it = constants_.find(name);
  if (it == constants_.end())
    fail(n, "its " + std::string(k == 1 ? "weight" : "parameter") + " '" + name +
                "' is not a constant (an initializer or a Constant node); trine imports fixed "
                "weights");
  const ConstTensor c = read_constant(
      *it->second, [&](const std::string& msg) { fail(n, "constant '" + name + "' " + msg); });
  for (double v : c.values)
    if (!std::isfinite(v) || std::fabs(v) > 3.4e38)
      fail(n, "constant '" + name + "' holds a value that is not a finite float");
  if (dims) *dims = c.dims;
  return std::vector<float>(c.values.begin(), c.values.end());
}

std::vector<int64_t> Reader::ints(const NodeProto& n, int k) const {
  const std::string& name = n.input(k);
  const auto it = constants_.find(name);
  if (it == constants_.end()) fail(n, "its input '" + name + "' must be a constant");
  auto bad = [&](const std::string& msg) { fail(n, "constant '" + name + "' " + msg); };
  if (it->second->dims_size() > 1 || (it->second->dims_size() == 1 && it->second->dims(0) > 16))
    bad("has more than 16 values");
  const ConstTensor c = read_constant(*it->second, bad);
  if (c.type == TensorProto::FLOAT || c.type == TensorProto::DOUBLE)
    bad("is not an integer tensor");
  for (double v : c.values)
    if (std::fabs(v) > 4e18) bad("holds a value beyond 4e18");
  return std::vector<int64_t>(c.values.begin(), c.values.end());
}

const onnx::AttributeProto* Reader::attribute(const NodeProto& n, const std::string& name) const {
  for (const onnx::AttributeProto& a : n.attribute())
    if (a.name() == name) return &a;
  return nullptr;
}

int64_t Reader::int_attr(const NodeProto& n, const std::string& name, int64_t fallback) const {
  const onnx::AttributeProto* a = attribute(n, name);
  return a ? a->i() : fallback;
}

float Reader::float_attr(const NodeProto& n, const std::string& name, float fallback) const {
  const onnx::AttributeProto* a = attribute(n, name);
  return a ? a->f() : fallback;
}

std::string Reader::string_attr(const NodeProto& n, const std::string& name) const {
  const onnx::AttributeProto* a = attribute(n, name);
  return a ? a->s() : std::string();
}

std::vector<int64_t> Reader::ints_attr(const NodeProto& n, const std::string& name,
                                       std::vector<int64_t> fallback) const {
  const onnx::AttributeProto* a = attribute(n, name);
  if (!a) return fallback;
  return std::vector<int64_t>(a->ints().begin(), a->ints().end());
}

FloatLayer& Reader::add_layer(const NodeProto& n, net::LayerKind kind, std::vector<int> inputs,
                              const Shape& out) {
  if (out.channels < 1 || out.height < 1 || out.width < 1)
    fail(n, "its output would be " + shape_text(out));
  if (out.size() > limits::kTensorElements)
    fail(n, "its output is larger than trine's largest tensor");
  FloatLayer l;
  l.name = n.name().empty() ? n.output(0) : n.name();
  // Names are unique and never "input", which stands for the image in a .tnet.
  std::string base = l.name;
  for (int k = 2; l.name == "input" || names_.count(l.name); ++k)
    l.name = base + "_" + std::to_string(k);
  names_.insert(l.name);
  l.ops = n.op_type();
  l.kind = kind;
  l.inputs = std::move(inputs);
  l.out = out;
  net_.layers.push_back(std::move(l));
  Value v;
  v.layer = static_cast<int>(net_.layers.size()) - 1;
  v.shape = out;
  values_[n.output(0)] = v;
  return net_.layers.back();
}

void Reader::alias(const NodeProto& n, int k) {
  values_[n.output(0)] = value(n, k);
}

// The compute layer or add whose output only `n` reads (and which has no activation yet): `n`
// can then be folded into it.
FloatLayer* Reader::sole_producer(const NodeProto& n) {
  const Value& v = value(n, 0);
  if (v.layer < 0 || consumers_.at(n.input(0)) != 1) return nullptr;
  FloatLayer& l = net_.layers[static_cast<size_t>(v.layer)];
  if (l.relu || !(l.is_compute() || l.kind == net::LayerKind::Add)) return nullptr;
  return &l;
}

// Strides, padding and the output's height and width of a convolution or pool of a kh x kw
// window over `in` (ONNX's strides, pads, auto_pad, dilations, ceil_mode).
void Reader::window(const NodeProto& n, const Shape& in, int64_t kh, int64_t kw,
                    FloatLayer& l) const {
  const std::vector<int64_t> strides = ints_attr(n, "strides", {1, 1});
  const std::vector<int64_t> dilations = ints_attr(n, "dilations", {1, 1});
  std::vector<int64_t> pads = ints_attr(n, "pads", {0, 0, 0, 0});
  if (strides.size() != 2 || pads.size() != 4 || dilations.size() != 2)
    fail(n, "trine imports two-dimensional windows (strides, pads and dilations of an image)");
  if (dilations[0] != 1 || dilations[1] != 1) fail(n, "dilated windows are not supported");
  if (strides[0] < 1 || strides[1] < 1 || kh < 1 || kw < 1)
    fail(n, "kernel and strides must be at least 1");
  const std::string auto_pad = string_attr(n, "auto_pad");
  if (auto_pad == "VALID") {
    pads = {0, 0, 0, 0};
  } else if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
    // Total padding that keeps ceil(size / stride) outputs; trine pads both sides alike.
    const int64_t k[2] = {kh, kw}, size[2] = {in.height, in.width};
    for (int a = 0; a < 2; ++a) {
      const int64_t outs = (size[a] + strides[a] - 1) / strides[a];
      const int64_t total = std::max<int64_t>((outs - 1) * strides[a] + k[a] - size[a], 0);
      pads[a] = pads[a + 2] = total / 2;
      if (total % 2) fail(n, "auto_pad " + auto_pad + " pads one side more than the other");
    }
  } else if (!auto_pad.empty() && auto_pad != "NOTSET") {
    fail(n, "auto_pad '" + auto_pad + "' is not an ONNX value");
  }
  if (pads[0] != pads[2] || pads[1] != pads[3])
    fail(n, "pads [" + std::to_string(pads[0]) + ", " + std::to_string(pads[1]) + ", " +
                std::to_string(pads[2]) + ", " + std::to_string(pads[3]) +
                "] differ between the sides; trine pads both sides alike");
  if (pads[0] < 0 || pads[1] < 0 || pads[0] > 4096 || pads[1] > 4096)
    fail(n, "pads must be in [0, 4096]");
  const Value& v = value(n, 0, true);  // a Pad's zeros before it add to its own
  pads[0] += v.pad_h, pads[1] += v.pad_w;
  if (in.height + 2 * pads[0] < kh || in.width + 2 * pads[1] < kw)
    fail(n, "the window is larger than the padded input " + shape_text(in));
  l.kernel_h = kh, l.kernel_w = kw, l.stride_h = strides[0], l.stride_w = strides[1];
  l.pad_h = pads[0], l.pad_w = pads[1];
  l.out.height = (in.height + 2 * l.pad_h - kh) / l.stride_h + 1;
  l.out.width = (in.width + 2 * l.pad_w - kw) / l.stride_w + 1;
  if (int_attr(n, "ceil_mode", 0) != 0) {
    // Ceiling mode adds a partial window where the floor leaves input over: not in trine.
    if ((in.height + 2 * l.pad_h - kh) % l.stride_h || (in.width + 2 * l.pad_w - kw) % l.stride_w)
      fail(n, "ceil_mode 1 adds a partial window here; trine's windows are whole (ceil_mode 0)");
  }
}

void Reader::conv(const NodeProto& n) {
  const Value in = value(n, 0, true);
  std::vector<int64_t> dims;
  std::vector<float> w = floats(n, 1, &dims);
  if (dims.size() != 4) fail(n, "the weight is not a 4-D tensor (O x C/groups x kH x kW)");
  const int64_t groups = int_attr(n, "group", 1);
  if (groups < 1 || in.shape.channels % groups || dims[0] % groups ||
      dims[1] * groups != in.shape.channels)
    fail(n, "a weight of " + std::to_string(dims[1]) + " channels in " + std::to_string(groups) +
                " groups does not fit an input of " + std::to_string(in.shape.channels));
  const std::vector<int64_t> kernel = ints_attr(n, "kernel_shape", {dims[2], dims[3]});
  if (kernel != std::vector<int64_t>{dims[2], dims[3]})
    fail(n, "kernel_shape does not match the weight");
  FloatLayer shell;
  window(n, in.shape, dims[2], dims[3], shell);
  FloatLayer& l = add_layer(n, net::LayerKind::Conv2d, {in.layer},
                            {dims[0], shell.out.height, shell.out.width});
  l.kernel_h = shell.kernel_h, l.kernel_w = shell.kernel_w;
  l.stride_h = shell.stride_h, l.stride_w = shell.stride_w;
  l.pad_h = shell.pad_h, l.pad_w = shell.pad_w;
  l.in_channels = in.shape.channels, l.out_channels = dims[0], l.groups = groups;
  l.weights = std::move(w);
  take_codes(
      n, 1, 0, [&](int64_t o, int64_t i) { return o * l.cols() + i; }, l);
  if (n.input_size() > 2 && !n.input(2).empty()) fold_bias(n, l, 2);
}

// Adds constant input k of `n` (one value per output channel, or one for all) to l's bias.
void Reader::fold_bias(const NodeProto& n, FloatLayer& l, int k) {
  const std::vector<float> b = floats(n, k);
  if (b.size() != 1 && static_cast<int64_t>(b.size()) != l.out_channels)
    fail(n, "a bias of " + std::to_string(b.size()) + " values for " +
                std::to_string(l.out_channels) + " outputs");
  l.bias.resize(static_cast<size_t>(l.out_channels), 0.0f);
  for (size_t o = 0; o < l.bias.size(); ++o) l.bias[o] += b.size() == 1 ? b[0] : b[o];
}

void Reader::gemm(const NodeProto& n) {
  const Value in = value(n, 0);
  if (int_attr(n, "transA", 0) != 0) fail(n, "transA = 1 is not supported");
  if (in.shape.height != 1 || in.shape.width != 1)
    fail(n, "its input is " + shape_text(in.shape) + ", not flat (a Flatten comes first)");
  std::vector<int64_t> dims;
  const std::vector<float> b = floats(n, 1, &dims);
  const bool trans = int_attr(n, "transB", 0) != 0;
  if (dims.size() != 2 || dims[trans ? 1 : 0] != in.shape.channels)
    fail(n, "a weight that does not take " + std::to_string(in.shape.channels) + " inputs");
  const int64_t outs = dims[trans ? 0 : 1], ins = in.shape.channels;
  FloatLayer& l = add_layer(n, net::LayerKind::Dense, {in.layer}, {outs, 1, 1});
  l.in_channels = ins, l.out_channels = outs;
  const float alpha = float_attr(n, "alpha", 1.0f);
  l.weights.resize(static_cast<size_t>(outs * ins));
  for (int64_t o = 0; o < outs; ++o)
    for (int64_t i = 0; i < ins; ++i)
      l.weights[static_cast<size_t>(o * ins + i)] =
          alpha * b[static_cast<size_t>(trans ? o * ins + i : i * outs + o)];
  if (alpha == 1.0f)
    take_codes(
        n, 1, trans ? 0 : 1,
        [&](int64_t o, int64_t i) { return trans ? o * ins + i : i * outs + o; }, l);
  if (n.input_size() > 2 && !n.input(2).empty()) {
    fold_bias(n, l, 2);
    const float beta = float_attr(n, "beta", 1.0f);
    for (float& v : l.bias) v *= beta;
  }
}

void Reader::matmul(const NodeProto& n) {
  if (is_constant(n.input(0)))
    fail(n, "trine imports MatMul of an activation by a constant (x W), not W x");
  const Value in = value(n, 0);
  if (in.shape.height != 1 || in.shape.width != 1)
    fail(n, "its input is " + shape_text(in.shape) + ", not flat (a Flatten comes first)");
  std::vector<int64_t> dims;
  const std::vector<float> b = floats(n, 1, &dims);
  if (dims.size() != 2 || dims[0] != in.shape.channels)
    fail(n, "a weight that does not take " + std::to_string(in.shape.channels) + " inputs");
  const int64_t outs = dims[1], ins = dims[0];
  FloatLayer& l = add_layer(n, net::LayerKind::Dense, {in.layer}, {outs, 1, 1});
  l.in_channels = ins, l.out_channels = outs;
  l.weights.resize(static_cast<size_t>(outs * ins));
  for (int64_t o = 0; o < outs; ++o)
    for (int64_t i = 0; i < ins; ++i)
      l.weights[static_cast<size_t>(o * ins + i)] = b[static_cast<size_t>(i * outs + o)];
  take_codes(
      n, 1, 1, [&](int64_t o, int64_t i) { return i * outs + o; }, l);
}

// A relu capped at `cap` on the output of the layer before: fused into it when only this node
// reads it, else (a plain Relu) a relu layer of its own.
void Reader::fuse_relu(const NodeProto& n, float cap) {
  if (FloatLayer* producer = sole_producer(n)) {
    producer->relu = true;
    producer->cap = cap;
    producer->ops += "+" + n.op_type();
    alias(n, 0);
    return;
  }
  if (!std::isinf(cap))
    fail(n, "trine fuses Clip(0, max) into the Conv, Gemm or Add whose output only it reads");
  const Value in = value(n, 0);
  add_layer(n, net::LayerKind::Relu, {in.layer}, in.shape);
}

void Reader::relu(const NodeProto& n) {
  fuse_relu(n, std::numeric_limits<float>::infinity());
}

void Reader::clip(const NodeProto& n) {
  auto bound = [&](int k, float fallback) {
    if (k >= n.input_size() || n.input(k).empty()) return fallback;
    const std::vector<float> v = floats(n, k);
    if (v.size() != 1) fail(n, "its bounds must be scalars");
    return v[0];
  };
  const float lo = bound(1, -std::numeric_limits<float>::infinity()),
              hi = bound(2, std::numeric_limits<float>::infinity());
  if (lo != 0.0f || !(hi > 0.0f))
    fail(n, "clips to [" + std::to_string(lo) + ", " + std::to_string(hi) +
                "]; trine imports Clip(0, max) (relu6 and capped relus)");
  fuse_relu(n, hi);
}

void Reader::batch_norm(const NodeProto& n) {
  if (int_attr(n, "training_mode", 0) != 0) fail(n, "training_mode 1 is not an inference model");
  for (int k = 1; k < n.output_size(); ++k)
    if (!n.output(k).empty() && consumers_.count(n.output(k)))
      fail(n, "its running statistics are read by another node");
  FloatLayer* l = sole_producer(n);
  if (!l || !l->is_compute())
    fail(n,
         "it follows no Conv or Gemm whose output only it reads, so it cannot be folded "
         "into one (docs/import.md)");
  const std::vector<float> gamma = floats(n, 1), beta = floats(n, 2), mean = floats(n, 3),
                           var = floats(n, 4);
  const size_t channels = static_cast<size_t>(l->out_channels);
  for (const auto* v : {&gamma, &beta, &mean, &var})
    if (v->size() != channels)
      fail(n, "parameters of " + std::to_string(v->size()) + " values for " +
                  std::to_string(channels) + " channels");
  const float eps = float_attr(n, "epsilon", 1e-5f);
  l->bias.resize(channels, 0.0f);
  const size_t cols = static_cast<size_t>(l->cols());
  // y = (x - mean) * gamma / sqrt(var + eps) + beta, in double, then stored as float.
  for (size_t o = 0; o < channels; ++o) {
    const double f = gamma[o] / std::sqrt(static_cast<double>(var[o]) + eps);
    if (!std::isfinite(f))
      fail(n, "channel " + std::to_string(o) + " has a variance of " + std::to_string(var[o]));
    for (size_t c = 0; c < cols; ++c)
      l->weights[o * cols + c] = static_cast<float>(l->weights[o * cols + c] * f);
    l->bias[o] = static_cast<float>((l->bias[o] - mean[o]) * f + beta[o]);
  }
  l->ops += "+BatchNormalization";
  l->codes.clear(), l->code_scales.clear();  // the folded weights are no longer the codes
  alias(n, 0);
}

void Reader::pool(const NodeProto& n) {
  const bool max = n.op_type() == "MaxPool";
  const Value in = value(n, 0, !max);
  for (int k = 1; k < n.output_size(); ++k)
    if (!n.output(k).empty() && consumers_.count(n.output(k)))
      fail(n, "its indices output is read; trine's pools give values only");
  const std::vector<int64_t> kernel = ints_attr(n, "kernel_shape", {});
  if (kernel.size() != 2) fail(n, "kernel_shape must give a window's height and width");
  FloatLayer shell;
  window(n, in.shape, kernel[0], kernel[1], shell);
  if (2 * shell.pad_h > kernel[0] || 2 * shell.pad_w > kernel[1])
    fail(n, "padding beyond half the window is not supported");
  const bool own_pads = shell.pad_h != in.pad_h || shell.pad_w != in.pad_w;
  if (!max && own_pads && int_attr(n, "count_include_pad", 0) == 0)
    fail(n,
         "count_include_pad 0 with padding: trine's average divides by the whole window "
         "(count_include_pad 1, PyTorch's default)");
  FloatLayer& l = add_layer(n, max ? net::LayerKind::MaxPool : net::LayerKind::AvgPool, {in.layer},
                            {in.shape.channels, shell.out.height, shell.out.width});
  l.kernel_h = shell.kernel_h, l.kernel_w = shell.kernel_w;
  l.stride_h = shell.stride_h, l.stride_w = shell.stride_w;
  l.pad_h = shell.pad_h, l.pad_w = shell.pad_w;
}

void Reader::global_pool(const NodeProto& n) {
  const Value in = value(n, 0);
  add_layer(n, net::LayerKind::GlobalAvgPool, {in.layer}, {in.shape.channels, 1, 1});
}

void Reader::add(const NodeProto& n) {
  if (n.input_size() != 2) fail(n, "an Add of " + std::to_string(n.input_size()) + " inputs");
  // x + constant after a Conv or MatMul is its bias (PyTorch exports Linear as MatMul + Add).
  for (int k = 0; k < 2; ++k) {
    if (!is_constant(n.input(k))) continue;
    NodeProto other = n;  // the activation as input 0, for sole_producer
    other.set_input(0, n.input(1 - k));
    FloatLayer* l = sole_producer(other);
    if (!l || !l->is_compute() || !l->bias.empty())
      fail(n, "adds a constant to a tensor other than a Conv's, Gemm's or MatMul's output");
    fold_bias(n, *l, k);
    l->ops += "+Add";
    alias(other, 0);
    return;
  }
  const Value a = value(n, 0), b = value(n, 1);
  if (!(a.shape == b.shape))
    fail(n, "adds " + shape_text(a.shape) + " to " + shape_text(b.shape) +
                "; trine adds tensors of one shape (no broadcasting)");
  add_layer(n, net::LayerKind::Add, {a.layer, b.layer}, a.shape);
}

void Reader::concat(const NodeProto& n) {
  const int64_t axis = int_attr(n, "axis", 1);
  if (axis != 1 && axis != -3) fail(n, "trine concatenates along channels (axis 1)");
  std::vector<int> inputs;
  Shape out = value(n, 0).shape;
  out.channels = 0;
  for (int k = 0; k < n.input_size(); ++k) {
    const Value v = value(n, k);
    if (v.shape.height != out.height || v.shape.width != out.width)
      fail(n, "its inputs differ in height or width");
    out.channels += v.shape.channels;
    inputs.push_back(v.layer);
  }
  if (inputs.size() < 2) {
    alias(n, 0);
    return;
  }
  add_layer(n, net::LayerKind::Concat, inputs, out);
}

void Reader::flatten(const NodeProto& n) {
  if (int_attr(n, "axis", 1) != 1) fail(n, "trine flattens from axis 1 (one image at a time)");
  const Value in = value(n, 0);
  if (in.shape.height == 1 && in.shape.width == 1) return alias(n, 0);
  add_layer(n, net::LayerKind::Flatten, {in.layer}, {in.shape.size(), 1, 1});
}

void Reader::reshape(const NodeProto& n) {
  const Value in = value(n, 0);
  const std::vector<int64_t> to = ints(n, 1);
  const int64_t size = in.shape.size();
  // The reshapes that flatten: [N, C*H*W] written as [1|0|-1, -1|C*H*W].
  const bool flattens = to.size() == 2 && (to[0] == 1 || to[0] == 0 || to[0] == -1) &&
                        (to[1] == size || (to[1] == -1 && to[0] != -1));
  if (!flattens) fail(n, "trine imports the Reshape that flattens an image's tensor to [N, C*H*W]");
  if (in.shape.height == 1 && in.shape.width == 1) return alias(n, 0);
  add_layer(n, net::LayerKind::Flatten, {in.layer}, {size, 1, 1});
}

void Reader::identity(const NodeProto& n) {
  net_.dropped.push_back(n.op_type());
  if (is_constant(n.input(0)))
    constants_[n.output(0)] = constants_.at(n.input(0));  // PyTorch names shared weights so
  else
    alias(n, 0);
}

// Zero padding of height and width, taken over by the Conv or AveragePool that reads it.
void Reader::pad(const NodeProto& n) {
  const std::string mode = string_attr(n, "mode");
  if (!mode.empty() && mode != "constant") fail(n, "mode '" + mode + "': trine pads with zeros");
  if (n.input_size() > 2 && !n.input(2).empty() && floats(n, 2) != std::vector<float>{0.0f})
    fail(n, "pads with a value other than zero");
  const std::vector<int64_t> p = ints(n, 1);
  if (p.size() != 8 || p[0] || p[1] || p[4] || p[5] || p[2] != p[6] || p[3] != p[7] || p[2] < 0 ||
      p[3] < 0 || p[2] > 4096 || p[3] > 4096)
    fail(n,
         "trine takes a Pad of height and width alike on both sides (pads [0, 0, h, w, 0, 0, "
         "h, w], h and w in [0, 4096])");
  Value v = value(n, 0, true);
  v.pad_h += p[2], v.pad_w += p[3];
  values_[n.output(0)] = v;
}

// A softmax only orders the scores as they were: dropped when it gives the model's output.
void Reader::softmax(const NodeProto& n) {
  if (model_.graph().output_size() < 1 || model_.graph().output(0).name() != n.output(0))
    fail(n, "trine drops a " + n.op_type() + " only when it gives the model's output");
  identity(n);
}

// A DequantizeLinear, QuantizeLinear, Cast or ConstantOfShape of constants: evaluated now, its
// output a constant (a DequantizeLinear's also keeps its integer codes). False for any other.
bool Reader::fold_constant(const NodeProto& n) {
  if (!folds(n.op_type())) return false;
  for (const std::string& in : n.input())
    if (!in.empty() && !is_constant(in)) return false;
  auto bad = [&](const std::string& msg) { fail(n, msg); };
  std::vector<ConstTensor> ins;
  for (const std::string& in : n.input())
    ins.push_back(in.empty() ? ConstTensor{} : read_constant(*constants_.at(in), bad));
  std::vector<const ConstTensor*> ptrs;
  for (const ConstTensor& c : ins) ptrs.push_back(&c);
  if (n.op_type() != "Cast" && n.op_type() != "ConstantOfShape" && ins.size() < 2)
    fail(n, "has no scale");
  const ConstTensor out = fold(n.op_type(), ptrs, n, bad);
  folded_.push_back(write_constant(out, n.output(0)));
  constants_[n.output(0)] = &folded_.back();
  if (n.op_type() == "DequantizeLinear" && ins[0].type != TensorProto::FLOAT) {
    Codes c;
    c.dims = ins[0].dims;
    c.scale = ins[1].values;
    c.axis = int_attr(n, "axis", 1);
    if (c.axis < 0) c.axis += static_cast<int64_t>(c.dims.size());
    bool int8 = true;  // codes trine can keep: int8 after the zero point
    for (int64_t e = 0; e < ins[0].size() && int8; ++e) {
      const double zero = ins.size() > 2 && ins[2].size()
                              ? ins[2].values[static_cast<size_t>(
                                    ins[2].size() == 1 ? 0 : axis_index(c.dims, c.axis, e))]
                              : 0;
      const double q = ins[0].values[static_cast<size_t>(e)] - zero;
      int8 = q >= -128 && q <= 127;
      c.codes.push_back(int8 ? static_cast<int32_t>(q) : 0);
    }
    if (int8) codes_[n.output(0)] = std::move(c);
  }
  return true;
}

// The scalar scale and zero point of a QuantizeLinear or DequantizeLinear of an activation.
FloatLayer::Fixed Reader::activation_quant(const NodeProto& n) const {
  if (n.input_size() < 2) fail(n, "has no scale");
  const std::vector<float> scale = floats(n, 1);
  FloatLayer::Fixed q;
  q.type = TensorProto::UINT8;
  if (n.input_size() > 2 && !n.input(2).empty()) {
    const ConstTensor zero =
        read_constant(*constants_.at(n.input(2)), [&](const std::string& msg) { fail(n, msg); });
    if (zero.size() != 1) fail(n, "trine reads activations quantized per tensor (one zero point)");
    q.zero_point = zero.values[0], q.type = zero.type;
  }
  if (scale.size() != 1 || !(scale[0] > 0) || !std::isfinite(scale[0]))
    fail(n, "trine reads activations quantized per tensor (one positive scale)");
  if (q.type != TensorProto::UINT8 && q.type != TensorProto::INT8)
    fail(n, "quantizes to a type other than uint8 or int8");
  q.scale = scale[0];
  return q;
}

void Reader::quantize_linear(const NodeProto& n) {
  Value v = value(n, 0);
  v.quant = activation_quant(n);
  values_[n.output(0)] = v;
}

// The pair's scale becomes the scale of the tensor it quantized (the image's, or its layer's).
void Reader::dequantize_linear(const NodeProto& n) {
  const auto it = values_.find(n.input(0));
  if (it == values_.end() || it->second.quant.scale <= 0)
    fail(n, "dequantizes a tensor that no QuantizeLinear made; trine reads the QDQ form");
  const FloatLayer::Fixed q = activation_quant(n);
  Value v = it->second;
  if (q.scale != v.quant.scale || q.zero_point != v.quant.zero_point)
    fail(n, "its scale or zero point differs from its QuantizeLinear's");
  FloatLayer::Fixed& fixed =
      v.layer < 0 ? net_.input_fixed : net_.layers[static_cast<size_t>(v.layer)].fixed;
  if (fixed.scale > 0 && (fixed.scale != q.scale || fixed.zero_point != q.zero_point))
    fail(n, "quantizes a tensor a second time with another scale");
  fixed = q;
  v.quant = {};
  values_[n.output(0)] = v;
}

// Between a QuantizeLinear and its DequantizeLinear (PyTorch casts the integers to their type).
void Reader::cast(const NodeProto& n) {
  const Value& v = value(n, 0);
  const int64_t to = int_attr(n, "to", 0);
  if (v.quant.scale <= 0 || to != v.quant.type)
    fail(n,
         "trine reads a Cast of constants, or of a QuantizeLinear's integers to their own "
         "type");
  values_[n.output(0)] = v;
}

void Reader::constant_of_shape(const NodeProto& n) {
  fail(n, "its shape is not a constant");
}

void Reader::take_codes(const NodeProto& n, int k, int64_t out_axis,
                        const std::function<int64_t(int64_t, int64_t)>& at, FloatLayer& l) const {
  const auto it = codes_.find(n.input(k));
  if (it == codes_.end()) return;
  const Codes& c = it->second;
  // One scale per output channel (or one for all): codes x scale is then each row's form.
  if (c.scale.size() != 1 && c.axis != out_axis) return;
  const int64_t cols = l.cols();
  std::vector<int32_t> codes(static_cast<size_t>(l.out_channels * cols));
  for (int64_t o = 0; o < l.out_channels; ++o)
    for (int64_t i = 0; i < cols; ++i) {
      const int32_t q = c.codes[static_cast<size_t>(at(o, i))];
      if (q < -128 || q > 127) return;  // not int8: quantization re-derives them
      codes[static_cast<size_t>(o * cols + i)] = q;
    }
  l.codes = std::move(codes);
  for (int64_t o = 0; o < l.out_channels; ++o)
    l.code_scales.push_back(c.scale[static_cast<size_t>(c.scale.size() == 1 ? 0 : o)]);
}

}  // namespace

FloatNet parse_onnx(const std::string& bytes, const std::string& name) {
  onnx::ModelProto model;
  if (!model.ParseFromString(bytes))
    throw InputError(name,
                     "not an ONNX model (the protobuf does not parse: truncated or another "
                     "kind of file)");
  try {
    onnx::checker::check_model(model);
  } catch (const std::exception& e) {
    std::string msg = e.what();
    while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
    std::replace(msg.begin(), msg.end(), '\n', ' ');
    throw InputError(name, "the ONNX checker refuses the model: " + msg);
  }
  if (!model.has_graph()) throw InputError(name, "the model has no graph");
  return Reader(model, name).run();
}

FloatNet read_onnx(const std::string& path) {
  return parse_onnx(read_input_file(path, limits::kModelFileBytes, "ONNX model"), path);
}

}  // namespace trine::import
