#include "sim/net/network.hpp"

#include <algorithm>
#include <cstdlib>
#include <map>

#include "sim/util/error.hpp"
#include "sim/util/limits.hpp"

namespace trine::net {

namespace {
const std::string kTensorLimitText =
    "the largest tensor has " + std::to_string(limits::kTensorElements) + " (docs/inputs.md)";
}  // namespace

const char* kind_name(LayerKind k) {
  static const char* names[] = {"dense", "conv2d", "maxpool",       "avgpool", "relu", "flatten",
                                "add",   "concat", "globalavgpool", "shift",   "input"};
  return names[static_cast<int>(k)];
}

const std::vector<LayerKind>& all_kinds() {
  static const std::vector<LayerKind> kinds = {
      LayerKind::Dense,         LayerKind::Conv2d,  LayerKind::MaxPool, LayerKind::AvgPool,
      LayerKind::Relu,          LayerKind::Flatten, LayerKind::Add,     LayerKind::Concat,
      LayerKind::GlobalAvgPool, LayerKind::Shift,   LayerKind::Input};
  return kinds;
}

void repeat_image(const std::vector<int32_t>& image, std::vector<int32_t>& out) {
  size_t from = 0;
  for (int32_t& v : out) {
    v = image[from];
    if (++from == image.size()) from = 0;
  }
}

bool is_chain(const Network& n) {
  return std::none_of(n.layers.begin(), n.layers.end(),
                      [](const Layer& l) { return l.is_graph_layer(); });
}

namespace {

// A cycle through inputs, as the layers on it with the first repeated at the end; empty when
// there is none. One depth-first walk over every layer (iterative, each layer and edge once:
// a long chain is no recursion and a large graph no quadratic time), from the last layer down.
std::vector<int> find_cycle(const std::vector<std::vector<int>>& edges) {
  enum : char { kNew, kOnPath, kDone };
  std::vector<char> state(edges.size(), kNew);
  for (size_t root = edges.size(); root-- > 0;) {
    if (state[root] != kNew) continue;
    std::vector<int> path{static_cast<int>(root)};
    std::vector<size_t> next{0};
    state[root] = kOnPath;
    while (!path.empty()) {
      const auto at = static_cast<size_t>(path.back());
      if (next.back() == edges[at].size()) {
        state[at] = kDone;
        path.pop_back(), next.pop_back();
        continue;
      }
      const int to = edges[at][next.back()++];
      if (to < 0 || state[static_cast<size_t>(to)] == kDone) continue;
      if (state[static_cast<size_t>(to)] == kOnPath) {
        std::vector<int> loop(std::find(path.begin(), path.end(), to), path.end());
        loop.push_back(to);
        return loop;
      }
      state[static_cast<size_t>(to)] = kOnPath;
      path.push_back(to), next.push_back(0);
    }
  }
  return {};
}

}  // namespace

namespace {

std::string shape_text(const TensorType& t) {
  return std::to_string(t.channels) + "x" + std::to_string(t.height) + "x" +
         std::to_string(t.width);
}

std::string type_text(const TensorType& t) {
  return (t.is_signed ? "s" : "u") + std::to_string(t.bits);
}

template <class Bad>
TensorType add_type(const Layer& l, const std::vector<TensorType>& ins, Bad&& bad) {
  for (size_t k = 1; k < ins.size(); ++k)
    if (shape_text(ins[k]) != shape_text(ins[0]))
      bad("its inputs differ in shape: '" + l.inputs[0] + "' is " + shape_text(ins[0]) + ", '" +
          l.inputs[k] + "' is " + shape_text(ins[k]));
  if (l.scales.size() != ins.size())
    bad("has " + std::to_string(l.scales.size()) + " scales for " + std::to_string(ins.size()) +
        " inputs");
  for (const Requant& q : l.scales)
    if (q.shift < 0 || q.shift > 31 || q.multiplier < 1 || q.multiplier > 0x7fffffff)
      bad("a scale's multiplier must be in [1, 2^31 - 1] and its shift in [0, 31]");
  if (l.relu ? (l.out_bits < 1 || l.out_bits > 16) : (l.out_bits < 2 || l.out_bits > 32))
    bad("out_bits must be in [1, 16] with relu, [2, 32] without");
  return {ins[0].channels, ins[0].height, ins[0].width, !l.relu, l.out_bits};
}

template <class Bad>
TensorType concat_type(const Layer& l, const std::vector<TensorType>& ins, Bad&& bad) {
  TensorType out = ins[0];
  for (size_t k = 1; k < ins.size(); ++k) {
    if (ins[k].height != ins[0].height || ins[k].width != ins[0].width)
      bad("its inputs differ in height and width: '" + l.inputs[0] + "' is " + shape_text(ins[0]) +
          ", '" + l.inputs[k] + "' is " + shape_text(ins[k]));
    if (type_text(ins[k]) != type_text(ins[0]))
      bad("its inputs differ in type: '" + l.inputs[0] + "' is " + type_text(ins[0]) + ", '" +
          l.inputs[k] + "' is " + type_text(ins[k]));
    out.channels += ins[k].channels;
  }
  return out;
}

}  // namespace

std::vector<std::vector<int>> input_indices(const Network& n, const std::string& where) {
  auto fail = [&](const std::string& layer, const std::string& msg) {
    throw InputError(where, (layer.empty() ? "" : "layer '" + layer + "': ") + msg);
  };
  std::map<std::string, int> index;
  for (size_t i = 0; i < n.layers.size(); ++i) {
    const std::string& name = n.layers[i].name;
    if (name.empty()) fail("", "a layer has no name");
    if (name == "input") fail(name, "'input' names the network's input, not a layer");
    if (!index.emplace(name, static_cast<int>(i)).second)
      fail(name, "two layers have this name (inputs refer to layers by name)");
  }
  std::vector<std::vector<int>> graph(n.layers.size());
  for (size_t i = 0; i < n.layers.size(); ++i) {
    const Layer& l = n.layers[i];
    if (l.kind == LayerKind::Input) {  // made from the image, by the host
      if (!l.inputs.empty()) fail(l.name, "an input layer takes no inputs (it repeats the image)");
      graph[i].push_back(-1);
      continue;
    }
    for (const std::string& name : l.inputs) {
      if (name == "input") {
        graph[i].push_back(-1);
        continue;
      }
      const auto it = index.find(name);
      if (it == index.end()) fail(l.name, "input '" + name + "' names no layer (nor 'input')");
      graph[i].push_back(it->second);
    }
    if (l.inputs.empty()) graph[i].push_back(static_cast<int>(i) - 1);
  }
  // Cycles first, then the order: a cycle is the clearer message.
  if (const std::vector<int> loop = find_cycle(graph); !loop.empty()) {
    std::string names;
    for (int k : loop)
      names += (names.empty() ? "" : " -> ") + n.layers[static_cast<size_t>(k)].name;
    fail("", "the layers form a cycle: " + names + " (each takes the next as its input)");
  }
  for (size_t i = 0; i < n.layers.size(); ++i) {
    const Layer& l = n.layers[i];
    for (size_t k = 0; k < graph[i].size(); ++k)
      if (graph[i][k] >= static_cast<int>(i))
        fail(l.name, "its input '" + l.inputs[k] + "' is listed after it (list a layer after " +
                         "its inputs)");
    const size_t count = graph[i].size();
    if (l.takes_many() && count < 2)
      fail(l.name, std::string(l.kind == LayerKind::Add ? "an " : "a ") + kind_name(l.kind) +
                       " takes two or more inputs");
    if (!l.takes_many() && count != 1)
      fail(l.name, std::string("a ") + kind_name(l.kind) + " layer takes one input, not " +
                       std::to_string(count));
  }
  return graph;
}

bool Layer::operator==(const Layer& o) const {
  return name == o.name && kind == o.kind && inputs == o.inputs && scales == o.scales &&
         groups == o.groups && offsets == o.offsets && in_channels == o.in_channels &&
         out_channels == o.out_channels && kernel_h == o.kernel_h && kernel_w == o.kernel_w &&
         stride_h == o.stride_h && stride_w == o.stride_w && pad_h == o.pad_h && pad_w == o.pad_w &&
         height == o.height && width == o.width && (!is_compute() || weights == o.weights) &&
         bias == o.bias && requant == o.requant && relu == o.relu && out_bits == o.out_bits &&
         acc_bits == o.acc_bits && method == o.method;
}

bool Network::operator==(const Network& o) const {
  return name == o.name && input.channels == o.input.channels && input.height == o.input.height &&
         input.width == o.input.width && input.bits == o.input.bits &&
         input.shift == o.input.shift && classes == o.classes && layers == o.layers &&
         meta == o.meta;
}

TensorType input_type(const InputSpec& in) {
  return {in.channels, in.height, in.width, false, in.bits};
}

std::vector<TensorType> infer_types(const Network& n, const std::string& where) {
  std::vector<TensorType> types = layer_types(n, where);
  if (n.classes < 1) throw InputError(where, "classes must be >= 1");
  if (types.back().size() != n.classes)
    throw InputError(where, "layer '" + n.layers.back().name + "': gives " +
                                std::to_string(types.back().size()) + " outputs for " +
                                std::to_string(n.classes) + " classes");
  return types;
}

std::vector<TensorType> layer_types(const Network& n, const std::string& where) {
  auto fail = [&](const std::string& layer, const std::string& msg) {
    throw InputError(where, (layer.empty() ? "" : "layer '" + layer + "': ") + msg);
  };
  const InputSpec& in = n.input;
  if (in.channels < 1 || in.height < 1 || in.width < 1) fail("", "input dimensions must be >= 1");
  if (in.bits < 1 || in.bits > 16) fail("", "input bits must be in [1, 16]");
  if (in.shift < 0 || in.shift > 7) fail("", "input shift must be in [0, 7]");
  if (in.bits < 8 - in.shift)
    fail("", "input bits " + std::to_string(in.bits) + " cannot hold pixel >> " +
                 std::to_string(in.shift));
  if (n.layers.empty()) fail("", "the network has no layers");

  std::vector<TensorType> types;
  TensorType t = input_type(in);
  if (t.size() > limits::kTensorElements)
    fail("", "the input has " + std::to_string(t.size()) + " elements; " + kTensorLimitText);
  const std::vector<std::vector<int>> graph = input_indices(n, where);
  const TensorType image = t;
  for (size_t i = 0; i < n.layers.size(); ++i) {
    const Layer& l = n.layers[i];
    auto bad = [&](const std::string& msg) { fail(l.name, msg); };
    std::vector<TensorType> ins;
    for (int k : graph[i]) ins.push_back(k < 0 ? image : types[static_cast<size_t>(k)]);
    t = ins.front();
    switch (l.kind) {
      case LayerKind::Dense:
      case LayerKind::Conv2d: {
        if (t.is_signed)
          bad("takes signed input; compute layers take unsigned activations (add relu)");
        if (l.out_channels < 1) bad("needs at least one output");
        TensorType out{l.out_channels, 1, 1, !l.relu, l.out_bits};
        int64_t cols = 0;
        if (l.kind == LayerKind::Dense) {
          if (l.in_channels != t.size())
            bad("expects " + std::to_string(l.in_channels) + " inputs, gets " +
                std::to_string(t.size()));
          cols = l.in_channels;
        } else {
          if (l.in_channels != t.channels)
            bad("expects " + std::to_string(l.in_channels) + " input channels, gets " +
                std::to_string(t.channels));
          if (l.groups < 1 || l.in_channels % l.groups != 0 || l.out_channels % l.groups != 0)
            bad("groups (" + std::to_string(l.groups) + ") must divide in_channels (" +
                std::to_string(l.in_channels) + ") and out_channels (" +
                std::to_string(l.out_channels) + ")");
          if (l.kernel_h < 1 || l.kernel_w < 1 || l.stride_h < 1 || l.stride_w < 1 || l.pad_h < 0 ||
              l.pad_w < 0)
            bad("kernel and stride must be >= 1, padding >= 0");
          const int64_t oh = (t.height + 2 * l.pad_h - l.kernel_h) / l.stride_h + 1;
          const int64_t ow = (t.width + 2 * l.pad_w - l.kernel_w) / l.stride_w + 1;
          if (t.height + 2 * l.pad_h < l.kernel_h || t.width + 2 * l.pad_w < l.kernel_w)
            bad("kernel is larger than the padded input");
          out.height = oh;
          out.width = ow;
          cols = l.in_channels / l.groups * l.kernel_h * l.kernel_w;
        }
        if (cols > limits::kTensorElements || l.out_channels > limits::kTensorElements / cols)
          bad(std::to_string(l.out_channels) + " x " + std::to_string(cols) + " weights; " +
              kTensorLimitText);
        if (l.weights.rows != l.out_channels || l.weights.cols != cols)
          bad("weights are " + std::to_string(l.weights.rows) + "x" +
              std::to_string(l.weights.cols) + ", expected " + std::to_string(l.out_channels) +
              "x" + std::to_string(cols));
        if (!l.bias.empty() && static_cast<int64_t>(l.bias.size()) != l.out_channels)
          bad("bias has " + std::to_string(l.bias.size()) + " values for " +
              std::to_string(l.out_channels) + " outputs");
        if (l.requant.shift < 0 || l.requant.shift > 62) bad("requant shift must be in [0, 62]");
        if (l.requant.multiplier < 1 || l.requant.multiplier > 0x7fffffff)
          bad("requant multiplier must be in [1, 2^31 - 1]");
        if (!l.requant.multipliers.empty() &&
            static_cast<int64_t>(l.requant.multipliers.size()) != l.out_channels)
          bad("requant has " + std::to_string(l.requant.multipliers.size()) + " multipliers for " +
              std::to_string(l.out_channels) + " outputs");
        for (int32_t m : l.requant.multipliers)
          if (m < 1) bad("requant multipliers must be >= 1");
        if (l.acc_bits < 8 || l.acc_bits > 48) bad("acc_bits must be in [8, 48]");
        if (l.relu ? (l.out_bits < 1 || l.out_bits > 16) : (l.out_bits < 2 || l.out_bits > 32))
          bad("out_bits must be in [1, 16] with relu, [2, 32] without");
        t = out;
        break;
      }
      case LayerKind::MaxPool:
      case LayerKind::AvgPool: {
        if (l.kernel_h < 1 || l.kernel_w < 1 || l.stride_h < 1 || l.stride_w < 1)
          bad("kernel and stride must be >= 1");
        // At most half a window of padding: every window then holds an input value.
        if (l.pad_h < 0 || l.pad_w < 0 || 2 * l.pad_h > l.kernel_h || 2 * l.pad_w > l.kernel_w)
          bad("padding must be in [0, kernel / 2]");
        if (l.kernel_h > t.height + 2 * l.pad_h || l.kernel_w > t.width + 2 * l.pad_w)
          bad("window is larger than the input");
        t.height = (t.height + 2 * l.pad_h - l.kernel_h) / l.stride_h + 1;
        t.width = (t.width + 2 * l.pad_w - l.kernel_w) / l.stride_w + 1;
        break;
      }
      case LayerKind::Relu:
        if (t.is_signed) t.is_signed = false, t.bits -= 1;
        break;
      case LayerKind::Flatten:
        t = {t.size(), 1, 1, t.is_signed, t.bits};
        break;
      case LayerKind::Add:
        t = add_type(l, ins, bad);
        break;
      case LayerKind::Concat:
        t = concat_type(l, ins, bad);
        break;
      case LayerKind::GlobalAvgPool:
        t = {t.channels, 1, 1, t.is_signed, t.bits};
        break;
      case LayerKind::Shift:
        if (static_cast<int64_t>(l.offsets.size()) != t.channels)
          bad("has " + std::to_string(l.offsets.size()) + " offsets for " +
              std::to_string(t.channels) + " channels");
        for (const auto& [dy, dx] : l.offsets)
          if (std::abs(dy) > kMaxShiftOffset || std::abs(dx) > kMaxShiftOffset)
            bad("an offset is larger than " + std::to_string(kMaxShiftOffset));
        break;
      case LayerKind::Input:
        if (l.out_channels < 1 || l.height < 1 || l.width < 1)
          bad("its shape must be at least 1x1x1");
        if (l.out_channels > limits::kTensorElements / l.height / l.width)
          bad("its shape " + std::to_string(l.out_channels) + "x" + std::to_string(l.height) + "x" +
              std::to_string(l.width) + " is too large; " + kTensorLimitText);
        t = {l.out_channels, l.height, l.width, false, image.bits};
        break;
    }
    if (t.size() > limits::kTensorElements)
      bad("its output has " + std::to_string(t.size()) + " elements; " + kTensorLimitText);
    types.push_back(t);
  }
  return types;
}

namespace {

// Bits to hold every multiplier of `r`.
int requant_bits(const Requant& r) {
  int64_t largest = 0;
  bool negative = false;
  auto see = [&](int64_t m) {
    negative = negative || m < 0;
    largest = std::max<int64_t>(largest, m < 0 ? -m : m);
  };
  see(r.multiplier);
  for (int32_t m : r.multipliers) see(m);
  int bits = 1;
  while (bits < 63 && (largest >> bits) != 0) ++bits;
  return bits + (negative ? 1 : 0);
}

}  // namespace

MultiplierWidths multiplier_widths(const Network& n) {
  MultiplierWidths w;
  for (const Layer& l : n.layers) {
    if (l.is_compute()) w.requant = std::max(w.requant, requant_bits(l.requant));
    if (l.kind == LayerKind::Add)
      for (const Requant& r : l.scales) w.rescale = std::max(w.rescale, requant_bits(r));
  }
  return w;
}

}  // namespace trine::net
