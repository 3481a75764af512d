#include "tests/support/builders.hpp"

#include <algorithm>

#include "sim/util/bytes.hpp"

namespace trine::testing {

using net::WeightForm;

net::WeightMatrix random_matrix(WeightForm form, int64_t rows, int64_t cols, std::mt19937& rng) {
  net::WeightMatrix w(rows, cols);
  std::uniform_int_distribution<int> int8(-128, 127), sign(0, 1), pct(0, 99);
  switch (form) {
    case WeightForm::Dense8:
      for (auto& v : w.values) v = static_cast<int8_t>(int8(rng));
      break;
    case WeightForm::Ternary:
      for (auto& v : w.values) v = pct(rng) < 70 ? 0 : (sign(rng) ? 1 : -1);
      break;
    case WeightForm::NK:  // at most 2 nonzeros in each group of 8
      for (int64_t r = 0; r < rows; ++r)
        for (int64_t g = 0; g < cols; g += 8) {
          const int64_t width = std::min<int64_t>(8, cols - g);
          std::uniform_int_distribution<int64_t> pos(0, width - 1);
          const int count = pct(rng) % 3;
          for (int i = 0; i < count; ++i) w.at(r, g + pos(rng)) = sign(rng) ? 1 : -1;
        }
      break;
    case WeightForm::ColComb:  // sparse int8: greedy grouping packs it
      for (auto& v : w.values) {
        const int x = int8(rng);
        v = pct(rng) < 80 ? 0 : static_cast<int8_t>(x == 0 ? 1 : x);
      }
      break;
    case WeightForm::LowBit: {  // 3-bit codes in kept 4x4 blocks, half the blocks kept
      std::uniform_int_distribution<int> code(-3, 3);
      for (int64_t i = 0; i < rows; i += 4)
        for (int64_t j = 0; j < cols; j += 4) {
          if (sign(rng)) continue;
          for (int64_t r = i; r < std::min(rows, i + 4); ++r)
            for (int64_t c = j; c < std::min(cols, j + 4); ++c)
              w.at(r, c) = static_cast<int8_t>(code(rng));
        }
      break;
    }
  }
  return w;
}

net::Weights encode_as(WeightForm form, const net::WeightMatrix& w) {
  switch (form) {
    case WeightForm::Dense8:
      return net::encode_dense8(w);
    case WeightForm::Ternary:
      return net::encode_ternary(w);
    case WeightForm::NK:
      return net::encode_nk(w, 8, 2);
    case WeightForm::ColComb:
      return net::encode_colcomb(w, 4);
    case WeightForm::LowBit:
      return net::encode_lowbit(w, 3, 4);
  }
  return {};
}

static std::vector<int32_t> random_bias(int64_t n, std::mt19937& rng) {
  std::uniform_int_distribution<int32_t> d(-200, 200);
  std::vector<int32_t> b(static_cast<size_t>(n));
  for (auto& x : b) x = d(rng);
  return b;
}

net::Layer dense_layer(const std::string& name, net::Weights w, bool relu, int out_bits,
                       int64_t shift, std::mt19937& rng) {
  net::Layer l;
  l.name = name;
  l.kind = net::LayerKind::Dense;
  l.in_channels = w.cols;
  l.out_channels = w.rows;
  l.bias = random_bias(w.rows, rng);
  l.weights = std::move(w);
  l.requant.shift = shift;
  l.requant.multiplier = 3;
  l.relu = relu;
  l.out_bits = out_bits;
  l.method = {{"name", net::form_name(l.weights.form)}, {"origin", "tests/support/builders"}};
  return l;
}

net::Layer conv_layer(const std::string& name, int64_t in_ch, int64_t out_ch, int k, int stride,
                      int pad, net::Weights w, int64_t shift, std::mt19937& rng) {
  net::Layer l;
  l.name = name;
  l.kind = net::LayerKind::Conv2d;
  l.in_channels = in_ch;
  l.out_channels = out_ch;
  l.kernel_h = l.kernel_w = k;
  l.stride_h = l.stride_w = stride;
  l.pad_h = l.pad_w = pad;
  l.bias = random_bias(out_ch, rng);
  l.weights = std::move(w);
  l.requant.shift = shift;
  // Per-channel multipliers exercise the per-channel requantization path.
  std::uniform_int_distribution<int32_t> m(1, 7);
  for (int64_t o = 0; o < out_ch; ++o) l.requant.multipliers.push_back(m(rng));
  l.relu = true;
  l.out_bits = 8;
  return l;
}

net::Layer pool_layer(const std::string& name, net::LayerKind kind, int k, int stride) {
  net::Layer l;
  l.name = name;
  l.kind = kind;
  l.kernel_h = l.kernel_w = k;
  l.stride_h = l.stride_w = stride;
  return l;
}

net::Network example_cnn(WeightForm form, uint32_t seed, int64_t height, int64_t width,
                         int64_t channels) {
  std::mt19937 rng(seed);
  net::Network n;
  n.name = std::string("example-cnn-") + net::form_name(form);
  n.input = {channels, height, width, 8, 0};
  n.classes = 10;
  n.meta = {{"producer", "tests/support/builders"}, {"seed", std::to_string(seed)}};
  n.layers.push_back(conv_layer("conv1", channels, 4, 3, 1, 1,
                                encode_as(form, random_matrix(form, 4, 9 * channels, rng)), 7,
                                rng));
  n.layers.push_back(pool_layer("pool1", net::LayerKind::MaxPool, 2, 2));
  n.layers.push_back(
      conv_layer("conv2", 4, 6, 3, 2, 1, encode_as(form, random_matrix(form, 6, 36, rng)), 8, rng));
  n.layers.push_back(pool_layer("pool2", net::LayerKind::AvgPool, 2, 1));
  n.layers.push_back(pool_layer("flat", net::LayerKind::Flatten, 1, 1));
  const auto types = net::layer_types(n, "example");  // shapes so far
  const int64_t features = types.back().size();
  n.layers.push_back(
      dense_layer("fc1", encode_as(form, random_matrix(form, 16, features, rng)), true, 8, 9, rng));
  n.layers.push_back(
      dense_layer("fc2", encode_as(form, random_matrix(form, 10, 16, rng)), false, 16, 4, rng));
  return n;
}

net::Network example_graph(WeightForm form, uint32_t seed) {
  std::mt19937 rng(seed);
  net::Network n;
  n.name = std::string("example-graph-") + net::form_name(form);
  n.input = {1, 8, 8, 8, 0};
  n.classes = 10;
  n.meta = {{"producer", "tests/support/builders"}, {"seed", std::to_string(seed)}};
  n.layers.push_back(
      conv_layer("conv1", 1, 4, 3, 1, 1, encode_as(form, random_matrix(form, 4, 9, rng)), 6, rng));
  n.layers.push_back(
      conv_layer("conv2", 4, 4, 3, 1, 1, encode_as(form, random_matrix(form, 4, 36, rng)), 8, rng));
  net::Layer add;
  add.name = "add";
  add.kind = net::LayerKind::Add;
  add.inputs = {"conv1", "conv2"};
  add.scales.resize(2);
  add.scales[0].multiplier = 3, add.scales[0].shift = 1;
  add.scales[1].multiplier = 5, add.scales[1].shift = 2;
  add.relu = true;
  add.out_bits = 8;
  n.layers.push_back(add);
  net::Layer side =
      conv_layer("side", 1, 2, 1, 1, 0, encode_as(form, random_matrix(form, 2, 1, rng)), 1, rng);
  side.inputs = {"input"};
  n.layers.push_back(side);
  net::Layer cat = pool_layer("cat", net::LayerKind::Concat, 1, 1);
  cat.inputs = {"add", "side"};
  n.layers.push_back(cat);
  net::Layer dw =
      conv_layer("dw", 6, 6, 3, 1, 1, encode_as(form, random_matrix(form, 6, 9, rng)), 5, rng);
  dw.groups = 6;  // depthwise
  n.layers.push_back(dw);
  net::Layer shift = pool_layer("shift", net::LayerKind::Shift, 1, 1);
  shift.offsets = {{-1, -1}, {0, 1}, {1, 0}, {0, 0}, {-1, 1}, {2, -1}};
  n.layers.push_back(shift);
  n.layers.push_back(pool_layer("gap", net::LayerKind::GlobalAvgPool, 1, 1));
  n.layers.push_back(
      dense_layer("fc", encode_as(form, random_matrix(form, 10, 6, rng)), false, 16, 2, rng));
  return n;
}

namespace {

// Builds a random graph layer by layer, keeping each layer's output type.
class GraphBuilder {
 public:
  GraphBuilder(WeightForm form, uint32_t seed) : form_(form), rng_(seed) {}
  int pick(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  net::Network& network() { return n_; }
  const std::string& last() const { return last_; }
  net::TensorType type(const std::string& name) const {
    if (name == "input") return net::input_type(n_.input);
    for (size_t i = 0; i < n_.layers.size(); ++i)
      if (n_.layers[i].name == name) return types_[i];
    return {};
  }
  // Appends `l` reading `inputs` (none: the previous layer); returns its name.
  std::string push(net::Layer l, std::vector<std::string> inputs) {
    l.name = l.name + std::to_string(n_.layers.size());
    if (!(inputs.size() == 1 && inputs[0] == last_ && last_ != "input")) l.inputs = inputs;
    n_.layers.push_back(std::move(l));
    types_ = net::layer_types(n_, "random graph");
    return last_ = n_.layers.back().name;
  }
  std::string conv(const std::string& from, int64_t out, int k, int stride, int groups) {
    const int64_t in = type(from).channels;
    const int64_t cols = in / groups * k * k;
    net::Layer l =
        conv_layer("conv", in, out, k, stride, k / 2,
                   encode_as(form_, random_matrix(form_, out, cols, rng_)), shift_for(cols), rng_);
    l.groups = groups;
    return push(std::move(l), {from});
  }
  std::string residual(const std::string& from) {
    const int64_t c = type(from).channels;
    const std::string a = conv(from, c, 3, 1, 1), b = conv(a, c, pick(0, 1) ? 3 : 1, 1, 1);
    net::Layer add;
    add.name = "add";
    add.kind = net::LayerKind::Add;
    for (int k = 0; k < 2; ++k) {
      net::Requant q;
      q.multiplier = pick(1, 7);
      q.shift = pick(0, 3);
      add.scales.push_back(q);
    }
    add.relu = pick(0, 1) == 1;
    add.out_bits = 8;
    const std::string sum = push(std::move(add), {from, b});
    if (n_.layers.back().relu) return sum;
    return push(pool_layer("relu", net::LayerKind::Relu, 1, 1), {sum});
  }
  std::string branches(const std::string& from) {
    const std::string a = conv(from, pick(1, 3), 1, 1, 1), b = conv(from, pick(1, 3), 3, 1, 1);
    return push(pool_layer("cat", net::LayerKind::Concat, 1, 1), {a, b});
  }
  // A second input of the network (an input layer of x's height and width) and x, each through
  // a convolution, concatenated.
  std::string side_input(const std::string& from) {
    const net::TensorType t = type(from);
    net::Layer in;
    in.name = "side";
    in.kind = net::LayerKind::Input;
    in.out_channels = pick(1, 3), in.height = t.height, in.width = t.width;
    const std::string side = push(std::move(in), {});
    const std::string a = conv(from, pick(1, 3), 1, 1, 1);
    const std::string b = conv(side, pick(1, 3), pick(0, 1) ? 3 : 1, 1, 1);
    return push(pool_layer("cat", net::LayerKind::Concat, 1, 1), {a, b});
  }
  std::string shift(const std::string& from) {
    net::Layer l = pool_layer("shift", net::LayerKind::Shift, 1, 1);
    for (int64_t c = 0; c < type(from).channels; ++c)
      l.offsets.emplace_back(pick(-2, 2), pick(-2, 2));
    return push(std::move(l), {from});
  }
  std::string grouped(const std::string& from) {
    const int64_t in = type(from).channels;
    std::vector<int> divisors;
    for (int g = 1; g <= in; ++g)
      if (in % g == 0) divisors.push_back(g);
    const int groups =
        divisors[static_cast<size_t>(pick(0, static_cast<int>(divisors.size()) - 1))];
    return conv(from, groups * pick(1, 2), 3, pick(1, 2), groups);
  }
  int64_t shift_for(int64_t cols) {  // keeps outputs in range for most inputs
    const int64_t bits = form_ == WeightForm::Dense8 ? 15 : form_ == WeightForm::LowBit ? 10 : 8;
    int64_t log = 0;
    while ((int64_t{1} << log) < cols) ++log;
    return bits + log / 2 - 4 + pick(0, 2);
  }

 private:
  WeightForm form_;
  std::mt19937 rng_;
  net::Network n_;
  std::vector<net::TensorType> types_;
  std::string last_ = "input";
};

}  // namespace

net::Network random_graph(WeightForm form, uint32_t seed) {
  GraphBuilder g(form, seed);
  net::Network& n = g.network();
  n.name = std::string("random-graph-") + net::form_name(form);
  n.input = {g.pick(1, 3), g.pick(5, 10), g.pick(5, 10), 8, 0};
  n.classes = 10;
  n.meta = {{"producer", "tests/support/builders"}, {"seed", std::to_string(seed)}};
  std::string x = g.conv("input", g.pick(2, 4), 3, 1, 1);
  for (int blocks = g.pick(3, 6); blocks > 0; --blocks) {
    const net::TensorType t = g.type(x);
    switch (g.pick(0, 6)) {
      case 0:
        x = g.conv(x, g.pick(2, 5), g.pick(0, 1) ? 3 : 1, 1, 1);
        break;
      case 1:
        x = g.grouped(x);
        break;
      case 2:
        x = g.residual(x);
        break;
      case 3:
        x = g.branches(x);
        break;
      case 4:
        x = g.shift(x);
        break;
      case 5:
        x = g.side_input(x);
        break;
      default:
        if (t.height >= 4 && t.width >= 4) {
          net::Layer p = pool_layer(
              "pool", g.pick(0, 1) ? net::LayerKind::MaxPool : net::LayerKind::AvgPool, 2, 2);
          if (g.pick(0, 1)) p.kernel_h = p.kernel_w = 3, p.pad_h = p.pad_w = 1;  // torchvision's
          x = g.push(p, {x});
        }
        break;
    }
  }
  const bool global = g.pick(0, 1) == 1;
  x = g.push(pool_layer(global ? "gap" : "flat",
                        global ? net::LayerKind::GlobalAvgPool : net::LayerKind::Flatten, 1, 1),
             {x});
  const int64_t features = g.type(x).size();
  std::mt19937 rng(seed + 1);
  g.push(dense_layer("fc", encode_as(form, random_matrix(form, 10, features, rng)), false, 16,
                     g.shift_for(features), rng),
         {x});
  return n;
}

namespace {

// Keeps most outputs of a layer of `cols` weight columns in range for random weights.
int64_t requant_shift(WeightForm form, int64_t cols) {
  const int64_t bits = form == WeightForm::Dense8 ? 15 : form == WeightForm::LowBit ? 10 : 8;
  int64_t log = 0;
  while ((int64_t{1} << log) < cols) ++log;
  return bits + log / 2 - 3;
}

net::Layer random_layer(const train::LayerSpec& s, bool last, WeightForm form, std::mt19937& rng) {
  using train::LayerOp;
  switch (s.op) {
    case LayerOp::Dense:
      return dense_layer(s.name, encode_as(form, random_matrix(form, s.rows(), s.cols(), rng)),
                         s.relu, last ? 16 : 8, requant_shift(form, s.cols()), rng);
    case LayerOp::Conv: {
      net::Layer l = conv_layer(s.name, s.in_c, s.out_c, static_cast<int>(s.kernel),
                                static_cast<int>(s.stride), static_cast<int>(s.pad),
                                encode_as(form, random_matrix(form, s.rows(), s.cols(), rng)),
                                requant_shift(form, s.cols()), rng);
      l.groups = s.groups;
      l.relu = s.relu;
      return l;
    }
    case LayerOp::MaxPool:
    case LayerOp::AvgPool:
      return pool_layer(
          s.name, s.op == LayerOp::MaxPool ? net::LayerKind::MaxPool : net::LayerKind::AvgPool,
          static_cast<int>(s.kernel), static_cast<int>(s.stride));
    case LayerOp::Flatten:
      return pool_layer(s.name, net::LayerKind::Flatten, 1, 1);
    case LayerOp::GlobalAvgPool:
      return pool_layer(s.name, net::LayerKind::GlobalAvgPool, 1, 1);
    case LayerOp::Concat:
      return pool_layer(s.name, net::LayerKind::Concat, 1, 1);
    case LayerOp::Shift: {
      net::Layer l = pool_layer(s.name, net::LayerKind::Shift, 1, 1);
      for (int64_t c = 0; c < s.in_c; ++c) l.offsets.push_back(train::shift_offset(c));
      return l;
    }
    case LayerOp::Add: {
      net::Layer l = pool_layer(s.name, net::LayerKind::Add, 1, 1);
      net::Requant half;  // each input halved: the sum of two stays in 8 bits, mostly
      half.shift = 1;
      l.scales.assign(s.from.size(), half);
      l.relu = s.relu;
      l.out_bits = 8;
      return l;
    }
  }
  return {};
}

}  // namespace

net::Network random_weights(const train::NetSpec& spec, WeightForm form, uint32_t seed) {
  std::mt19937 rng(seed);
  net::Network n;
  n.name = spec.name + "-random-" + net::form_name(form);
  n.input = {spec.input.channels, spec.input.height, spec.input.width, 8, 0};
  n.classes = spec.input.classes;
  n.meta = {
      {"producer", "tests/support/builders"}, {"net", spec.text}, {"seed", std::to_string(seed)}};
  for (size_t i = 0; i < spec.layers.size(); ++i) {
    const train::LayerSpec& s = spec.layers[i];
    net::Layer l = random_layer(s, i + 1 == spec.layers.size(), form, rng);
    l.inputs = train::layer_shell(spec, i).inputs;
    n.layers.push_back(std::move(l));
  }
  return n;
}

net::Network lenet5(WeightForm form, uint32_t seed) {
  std::mt19937 rng(seed);
  net::Network n;
  n.name = std::string("lenet5-") + net::form_name(form);
  n.input = {1, 28, 28, 8, 0};
  n.classes = 10;
  n.layers.push_back(
      conv_layer("conv1", 1, 6, 5, 1, 2, encode_as(form, random_matrix(form, 6, 25, rng)), 8, rng));
  n.layers.push_back(pool_layer("pool1", net::LayerKind::MaxPool, 2, 2));
  n.layers.push_back(conv_layer("conv2", 6, 16, 5, 1, 0,
                                encode_as(form, random_matrix(form, 16, 150, rng)), 10, rng));
  n.layers.push_back(pool_layer("pool2", net::LayerKind::MaxPool, 2, 2));
  n.layers.push_back(pool_layer("flat", net::LayerKind::Flatten, 1, 1));
  n.layers.push_back(
      dense_layer("fc1", encode_as(form, random_matrix(form, 120, 400, rng)), true, 8, 11, rng));
  n.layers.push_back(
      dense_layer("fc2", encode_as(form, random_matrix(form, 84, 120, rng)), true, 8, 10, rng));
  n.layers.push_back(
      dense_layer("fc3", encode_as(form, random_matrix(form, 10, 84, rng)), false, 32, 0, rng));
  return n;
}

net::Network example_mlp(WeightForm form, uint32_t seed, int64_t inputs) {
  std::mt19937 rng(seed);
  net::Network n;
  n.name = std::string("example-mlp-") + net::form_name(form);
  n.input = {1, 1, inputs, 8, 0};
  n.classes = 10;
  n.layers.push_back(
      dense_layer("fc1", encode_as(form, random_matrix(form, 32, inputs, rng)), true, 8, 9, rng));
  n.layers.push_back(
      dense_layer("fc2", encode_as(form, random_matrix(form, 24, 32, rng)), true, 8, 8, rng));
  n.layers.push_back(
      dense_layer("fc3", encode_as(form, random_matrix(form, 10, 24, rng)), false, 32, 0, rng));
  return n;
}

data::Dataset random_dataset(int64_t count, int64_t height, int64_t width, int classes,
                             uint32_t seed, int64_t channels) {
  std::mt19937 rng(seed);
  data::Dataset d;
  d.count = count;
  d.channels = channels;
  d.height = height;
  d.width = width;
  d.pixels.resize(static_cast<size_t>(count * d.image_bytes()));
  for (auto& p : d.pixels) p = static_cast<uint8_t>(rng());
  std::uniform_int_distribution<int> label(0, classes - 1);
  d.labels.resize(static_cast<size_t>(count));
  for (auto& l : d.labels) l = static_cast<uint8_t>(label(rng));
  return d;
}

uint64_t tnet_u64(const std::vector<uint8_t>& file, size_t at) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v |= uint64_t{file[at + i]} << (8 * i);
  return v;
}

std::string tnet_manifest(const std::vector<uint8_t>& file) {
  return std::string(reinterpret_cast<const char*>(file.data()) + 64, tnet_u64(file, 32));
}

std::vector<uint8_t> with_manifest(const std::vector<uint8_t>& file, const std::string& manifest) {
  const uint64_t old_area = tnet_u64(file, 48);
  std::vector<uint8_t> payloads(file.begin() + static_cast<long>(old_area), file.end());
  ByteWriter w;
  const size_t area = (64 + manifest.size() + 63) / 64 * 64;
  w.raw(file.data(), 16);
  w.u64(area + payloads.size());
  w.u64(64);
  w.u64(manifest.size());
  w.u32(crc32(reinterpret_cast<const uint8_t*>(manifest.data()), manifest.size()));
  w.raw(file.data() + 44, 4);
  w.u64(area);
  w.u32(0);
  w.u32(crc32(w.bytes().data(), w.size()));
  w.raw(manifest.data(), manifest.size());
  w.pad_to(64);
  w.raw(payloads.data(), payloads.size());
  return w.bytes();
}

}  // namespace trine::testing
